; Top-level functions and variables.
; Kinds: functions -> @definition.function; `NAME=value`, `export NAME=...`, `declare NAME` ->
; @definition.variable; `readonly NAME=...` and `declare -r NAME=...` -> @definition.constant.
(program
  (function_definition
    name: (word) @name
    body: (_) @body) @definition.function)

(program
  (variable_assignment
    name: (variable_name) @name) @definition.variable)

((program
  (declaration_command
    (variable_assignment name: (variable_name) @name)) @definition.variable)
  (#not-match? @definition.variable "^(readonly|declare\\s+-[A-Za-z]*r)"))

((program
  (declaration_command
    (variable_assignment name: (variable_name) @name)) @definition.constant)
  (#match? @definition.constant "^(readonly|declare\\s+-[A-Za-z]*r)"))
