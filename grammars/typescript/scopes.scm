; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
[
  (class_declaration
    name: (_) @name
    body: (class_body) @body)
  (abstract_class_declaration
    name: (_) @name
    body: (class_body) @body)
  (interface_declaration
    name: (_) @name
    body: (interface_body) @body)
] @scope.class

(class
  name: (_)? @name
  body: (class_body) @body) @scope.class

(function_declaration
  name: (identifier) @name
  body: (statement_block) @body) @scope.function

(generator_function_declaration
  name: (identifier) @name
  body: (statement_block) @body) @scope.function

(method_definition
  name: (_) @name
  body: (statement_block) @body) @scope.function

; Functions assigned to a name: `const f = () => {...}`, `x.f = function () {...}`,
; `{ f: () => {...} }`, class fields `f = () => {...}`.
(variable_declarator
  name: (identifier) @name
  value: [
    (arrow_function body: (statement_block) @body)
    (function_expression body: (statement_block) @body)
    (generator_function body: (statement_block) @body)
  ]) @scope.function

(assignment_expression
  left: [(identifier) (member_expression)] @name
  right: [
    (arrow_function body: (statement_block) @body)
    (function_expression body: (statement_block) @body)
    (generator_function body: (statement_block) @body)
  ]) @scope.function

(pair
  key: (_) @name
  value: [
    (arrow_function body: (statement_block) @body)
    (function_expression body: (statement_block) @body)
    (generator_function body: (statement_block) @body)
  ]) @scope.function

(public_field_definition
  name: (_) @name
  value: [
    (arrow_function body: (statement_block) @body)
    (function_expression body: (statement_block) @body)
  ]) @scope.function

; A callback passed as the last argument: `describe("x", () => {...})`, `app.get(path, function (req) {...})`.
(call_expression
  function: (_) @name
  arguments: (arguments
    [
      (arrow_function body: (statement_block) @body)
      (function_expression body: (statement_block) @body)
    ] .)) @scope.function

[
  (if_statement consequence: (statement_block) @body)
  (else_clause (statement_block) @body)
  (for_statement body: (statement_block) @body)
  (for_in_statement body: (statement_block) @body)
  (while_statement body: (statement_block) @body)
  (do_statement body: (statement_block) @body)
  (with_statement body: (statement_block) @body)
  (try_statement body: (statement_block) @body)
  (catch_clause body: (statement_block) @body)
  (finally_clause body: (statement_block) @body)
  (switch_statement body: (switch_body) @body)
  (class_static_block body: (statement_block) @body)
] @scope.block
