; `source ./lib.sh` / `. "$DIR/lib.sh"`: the path, no name bound.
((command
  name: (command_name (word) @_command)
  .
  argument: (_) @import.source) @import
  (#any-of? @_command "source" "."))
