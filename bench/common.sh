# Shell helpers shared by the benchmark scripts (sourced, not run).

# Runs a command under GNU time with its output discarded; prints the fields
# of FORMAT (a /usr/bin/time -f format, e.g. '%e %U %S %M').
#   time_fields FORMAT COMMAND...
time_fields() {
  local format=$1 log
  shift
  log=$(mktemp)
  /usr/bin/time -f "$format" -o "$log" "$@" >/dev/null
  cat "$log"
  rm -f "$log"
}

# The median of the numbers on standard input, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
