; `local json = require("json")` binds `json`; a bare `require "x"` binds nothing.
((variable_declaration
  (assignment_statement
    (variable_list . (identifier) @import.name)
    (expression_list
      .
      (function_call
        name: (identifier) @_require
        arguments: (arguments . (string) @import.source))))) @import
  (#eq? @_require "require"))

((chunk
  (function_call
    name: (identifier) @_require
    arguments: (arguments . (string) @import.source)) @import)
  (#eq? @_require "require"))
