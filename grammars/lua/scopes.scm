; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
; Lua blocks end with `end`, and an empty one has no body node at all: there the keyword that
; ends the header (`end`, or `then`/`else` before it) is the @body, so the cursor on the blank
; line of a new `function ... end` asks for a multi-line completion.
(function_declaration name: (_) @name body: (block) @body) @scope.function
(function_declaration name: (_) @name !body "end" @body) @scope.function

; Function expressions bound to a name: `local f = function() ... end`, `M.f = function() ... end`.
(assignment_statement
  (variable_list . (_) @name)
  (expression_list . (function_definition body: (block) @body))) @scope.function

(assignment_statement
  (variable_list . (_) @name)
  (expression_list . (function_definition !body "end" @body))) @scope.function

; A function passed as the last argument: `describe("x", function() ... end)`.
(function_call
  name: (_) @name
  arguments: (arguments (function_definition body: (block) @body) .)) @scope.function

(function_call
  name: (_) @name
  arguments: (arguments (function_definition !body "end" @body) .)) @scope.function

[
  (if_statement consequence: (block) @body)
  (elseif_statement consequence: (block) @body)
  (else_statement body: (block) @body)
  (for_statement body: (block) @body)
  (while_statement body: (block) @body)
  (repeat_statement body: (block) @body)
  (do_statement body: (block) @body)
] @scope.block

; Empty ones.
[
  (if_statement !consequence "then" @body)
  (elseif_statement !consequence "then" @body)
  (for_statement !body "end" @body)
  (while_statement !body "end" @body)
  (do_statement !body "end" @body)
  (repeat_statement !body "until" @body)
] @scope.block
