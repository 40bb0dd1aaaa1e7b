; Scopes whose header (the text before @body) is shown as context and that bound a review unit.
(struct_item
  name: (type_identifier) @name
  body: (field_declaration_list) @body) @scope.class

(union_item
  name: (type_identifier) @name
  body: (field_declaration_list) @body) @scope.class

(enum_item
  name: (type_identifier) @name
  body: (enum_variant_list) @body) @scope.class

(trait_item
  name: (type_identifier) @name
  body: (declaration_list) @body) @scope.class

; `impl Cache {...}`, `impl<S> Evict for Cache<S> {...}`: the name is the implementing type.
(impl_item
  type: [(type_identifier) (scoped_type_identifier)] @name
  body: (declaration_list) @body) @scope.class

(impl_item
  type: (generic_type type: (_) @name)
  body: (declaration_list) @body) @scope.class

(impl_item
  type: [
    (reference_type)
    (pointer_type)
    (tuple_type)
    (array_type)
    (primitive_type)
    (dynamic_type)
    (function_type)
    (unit_type)
  ] @name
  body: (declaration_list) @body) @scope.class

(function_item
  name: (identifier) @name
  body: (block) @body) @scope.function

; Closures with a block body bound to a name: `let f = |x| {...};`
(let_declaration
  pattern: (identifier) @name
  value: (closure_expression body: (block) @body)) @scope.function

; A closure passed as the last argument: `thread::spawn(move || {...})`, `items.map(|x| {...})`.
(call_expression
  function: (_) @name
  arguments: (arguments
    (closure_expression body: (block) @body) .)) @scope.function

[
  (if_expression consequence: (block) @body)
  (else_clause (block) @body)
  (for_expression body: (block) @body)
  (while_expression body: (block) @body)
  (loop_expression body: (block) @body)
  (match_expression body: (match_block) @body)
  (match_arm value: (block) @body)
  (unsafe_block (block) @body)
  (async_block (block) @body)
] @scope.block
