# bash completion for news-search and news-index.
# Install: source this file, or copy it to /usr/share/bash-completion/completions/news-search
# (and link news-index to it).

_news_search_db() {
  # The database the command line names, else the default one.
  local i
  for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
    if [[ ${COMP_WORDS[i]} == --db ]]; then
      printf '%s' "${COMP_WORDS[i + 1]}"
      return
    fi
  done
}

_news_search_values() {
  # Values of a facet (topic, provider, type) in the database, one per line.
  local db facet=$1 args=(--facets --facet-values 100000 --limit 0 --format json --no-spelling)
  db=$(_news_search_db)
  [[ -n $db ]] && args+=(--db "$db")
  news-search "${args[@]}" 2>/dev/null |
    sed -n "/\"$facet\": \[/,/\]/s/^ *\"value\": \"\(.*\)\",\?$/\1/p"
}

_news_search() {
  local cur prev
  _init_completion || return
  case $prev in
    --db | --config)
      _filedir
      return
      ;;
    --sort)
      mapfile -t COMPREPLY < <(compgen -W "relevance date quality heat" -- "$cur")
      return
      ;;
    --format)
      mapfile -t COMPREPLY < <(compgen -W "terminal json jsonl csv" -- "$cur")
      return
      ;;
    --topic | --provider | --type)
      local IFS=$'\n'
      mapfile -t COMPREPLY < <(compgen -W "$(_news_search_values "${prev#--}")" -- "$cur")
      return
      ;;
    --since | --until | --now | --half-life | --limit | -n | --offset | --min-quality | --facet-values | \
      --quality-weight | --heat-weight | --freshness-weight | --like)
      return
      ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "--help --config --db --any --like --topic --provider
      --type --since --until --min-quality --quality-weight --heat-weight --half-life
      --freshness-weight --now --sort --limit --offset --format --json --jsonl --csv --all
      --facets --facet-values --explain --count --ids --no-spelling --color --no-color" -- "$cur")
  fi
}

_news_index() {
  local cur prev
  _init_completion || return
  case $prev in
    --db)
      _filedir
      return
      ;;
    --batch-size)
      return
      ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "--help --db --batch-size --no-prune --wait
      --follow-symlinks --verbose --quiet" -- "$cur")
  else
    _filedir
  fi
}

complete -F _news_search news-search
complete -F _news_index news-index
