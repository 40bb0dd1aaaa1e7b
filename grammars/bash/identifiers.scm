; Variables (not the positional `$1` or special `$?`) and commands that may be the script's own
; functions (not `return`, `exit` or the other builtins that are keywords in other languages).
; (`#not-any-of?` with several strings lets every string through in py-tree-sitter 0.26: a regex.)
((variable_name) @reference
  (#match? @reference "^[A-Za-z_]"))
((command_name (word) @reference)
  (#match? @reference "^[A-Za-z_][A-Za-z0-9_-]*$")
  (#not-match? @reference "^(return|exit|break|continue|local|true|false|shift|source|eval|exec)$"))
