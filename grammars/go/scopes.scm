; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
; `type T struct {...}`: the scope is the whole declaration; in a group `type ( ... )` it is the spec.
; An interface has no body node: its body is what follows its `{` (the `}` of an empty one), so
; that its header says `type T interface {` (it was `type T`, the body the whole `interface {...}`).
((type_declaration
  (type_spec
    name: (type_identifier) @name
    type: [
      (struct_type (field_declaration_list) @body)
      (interface_type "{" . (_) @body)
      (interface_type "{" . "}" @body)
    ])) @scope.class
  (#match? @scope.class "^type\\s+[^\\s(]"))

(type_declaration
  "("
  (type_spec
    name: (type_identifier) @name
    type: [
      (struct_type (field_declaration_list) @body)
      (interface_type "{" . (_) @body)
      (interface_type "{" . "}" @body)
    ]) @scope.class)

(function_declaration
  name: (identifier) @name
  body: (block) @body) @scope.function

(method_declaration
  name: (field_identifier) @name
  body: (block) @body) @scope.function

; Function literals assigned to a name: `var f = func() {...}`, `f := func() {...}`, `f = func() {...}`.
(var_spec
  name: (identifier) @name
  value: (expression_list
    .
    (func_literal body: (block) @body))) @scope.function

(short_var_declaration
  left: (expression_list . (identifier) @name)
  right: (expression_list
    .
    (func_literal body: (block) @body))) @scope.function

(assignment_statement
  left: (expression_list . (_) @name)
  right: (expression_list
    .
    (func_literal body: (block) @body))) @scope.function

; A function literal passed as the last argument: `t.Run("x", func(t *testing.T) {...})`.
(call_expression
  function: (_) @name
  arguments: (argument_list
    (func_literal body: (block) @body) .)) @scope.function

; `go func() {...}()` / `defer func() {...}()`
(call_expression
  function: (func_literal body: (block) @body)) @scope.function

[
  (if_statement consequence: (block) @body)
  (for_statement body: (block) @body)
  (expression_case (statement_list) @body)
  (type_case (statement_list) @body)
  (default_case (statement_list) @body)
  (communication_case (statement_list) @body)
] @scope.block
