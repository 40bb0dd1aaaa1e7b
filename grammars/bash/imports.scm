; `source ./lib.sh` / `. "$DIR/lib.sh"`: the path, no name bound.
((command
  name: (command_name (word) @_command)
  .
  argument: (_) @import.source) @import
  (#any-of? @_command "source" "."))

; `. "$(dirname "$0")/lib.sh"`, `source "${BASH_SOURCE%/*}/lib.sh"`: a path from the script's own
; folder, the way scripts source a file beside them whatever the working directory (with a `$`
; in it the whole argument is no path, and nothing it defined was in the prompt).
((command
  name: (command_name (word) @_command)
  .
  argument: [
    (string . [(command_substitution) (expansion)] @_folder . (string_content) @import.source.relative .)
    (concatenation . [(command_substitution) (expansion)] @_folder . (word) @import.source.relative .)
  ]) @import
  (#any-of? @_command "source" ".")
  (#match? @_folder "^[$]([(](cd \"?[$][(])?dirname \"?[$][{]?(0|BASH_SOURCE(\\[0\\])?)[}]?\"?[)](\"? && pwd[)])?|[{](0|BASH_SOURCE(\\[0\\])?)%/[*][}])$"))
