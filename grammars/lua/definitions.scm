; Top-level functions and variables. The name of `function M.f()` / `function M:f()` is `f`.
; Kinds: `function f()`, `local function f()`, `function M.f()`, `local f = function()` ->
; @definition.function; `function M:f()` -> @definition.method; other top-level `local x = ...`
; -> @definition.variable. An empty function has no @body.
(chunk
  (function_declaration
    name: [
      (identifier) @name
      (dot_index_expression field: (identifier) @name)
    ]
    body: (block)? @body) @definition.function)

(chunk
  (function_declaration
    name: (method_index_expression method: (identifier) @name)
    body: (block)? @body) @definition.method)

(chunk
  (variable_declaration
    (assignment_statement
      (variable_list . (identifier) @name)
      (expression_list . (function_definition body: (block)? @body)))) @definition.function)

(chunk
  (assignment_statement
    (variable_list . [
      (identifier) @name
      (dot_index_expression field: (identifier) @name)
    ])
    (expression_list . (function_definition body: (block)? @body))) @definition.function)

; (A `local json = require("json")` is an import.)
((chunk
  (variable_declaration
    (assignment_statement
      (variable_list . (identifier) @name)
      (expression_list . (_ !parameters)))) @definition.variable)
  (#not-match? @definition.variable "^local\\s+[A-Za-z_0-9, ]+=\\s*require\\b"))

(chunk
  (variable_declaration
    (variable_list . (identifier) @name)) @definition.variable)
