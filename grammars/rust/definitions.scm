; Items at the top level or in a module, and members of impl and trait blocks.
; Kinds: struct, union, enum, trait, `impl` blocks and an inline `mod x { ... }` ->
; @definition.class; `type` aliases -> @definition.type;
; functions and macro_rules -> @definition.function; functions in impl/trait blocks ->
; @definition.method; const and static -> @definition.constant.
[
  (source_file
    (function_item
      name: (identifier) @name
      body: (block) @body) @definition.function)
  (mod_item
    body: (declaration_list
      (function_item
        name: (identifier) @name
        body: (block) @body) @definition.function))
  (foreign_mod_item
    body: (declaration_list
      (function_signature_item
        name: (identifier) @name) @definition.function))
]

; An inline module (`mod tests { ... }`), so that a review splits a long one into its items.
(mod_item
  name: (identifier) @name
  body: (declaration_list) @body) @definition.class

; An `impl` block, named by its type (`impl Evict for Cache` is "Cache"): its methods are
; reviewed one by one when it is long, under the `impl` line.
; A generic or qualified type by its own name (`impl<K, V> LruCache<K, V>` is "LruCache", as
; in scopes.scm: it was "LruCache<K, V>", which no use matches); any other type (`&'a T`,
; `dyn Error`, `[T; N]`) by its text.
(impl_item
  type: [
    (type_identifier) @name
    (primitive_type) @name
    (scoped_type_identifier name: (_) @name)
    (generic_type type: [(type_identifier) @name (scoped_type_identifier name: (_) @name)])
  ]
  body: (declaration_list) @body) @definition.class

((impl_item
  type: (_) @name
  body: (declaration_list) @body) @definition.class
  (#not-match? @name "^[A-Za-z_][A-Za-z0-9_:]*(<[\\s\\S]*)?$"))

(impl_item
  body: (declaration_list
    (function_item
      name: (identifier) @name
      body: (block) @body) @definition.method))

(trait_item
  body: (declaration_list
    [
      (function_item
        name: (identifier) @name
        body: (block) @body)
      (function_signature_item
        name: (identifier) @name)
    ] @definition.method))

[
  (source_file
    [
      (struct_item
        name: (type_identifier) @name
        body: (_)? @body)
      (union_item
        name: (type_identifier) @name
        body: (_) @body)
      (enum_item
        name: (type_identifier) @name
        body: (_) @body)
      (trait_item
        name: (type_identifier) @name
        body: (_) @body)
    ] @definition.class)
  (mod_item
    body: (declaration_list
      [
        (struct_item
          name: (type_identifier) @name
          body: (_)? @body)
        (union_item
          name: (type_identifier) @name
          body: (_) @body)
        (enum_item
          name: (type_identifier) @name
          body: (_) @body)
        (trait_item
          name: (type_identifier) @name
          body: (_) @body)
      ] @definition.class))
]

[
  (source_file
    (type_item
      name: (type_identifier) @name) @definition.type)
  (declaration_list
    (type_item
      name: (type_identifier) @name) @definition.type)
]

[
  (source_file
    [
      (const_item name: (identifier) @name)
      (static_item name: (identifier) @name)
    ] @definition.constant)
  (declaration_list
    [
      (const_item name: (identifier) @name)
      (static_item name: (identifier) @name)
    ] @definition.constant)
]

[
  (source_file
    (macro_definition
      name: (identifier) @name) @definition.function)
  (declaration_list
    (macro_definition
      name: (identifier) @name) @definition.function)
]

; The types a function's parameters are declared with (`s: Shape`, `s: &Shape`, `c: &mut
; Cache<K>` as `Cache`, `s: &dyn Area`, `s: impl Area`, `s: geo::Shape`): a type or trait it
; means by a method name several define (`s.area()`). A match of its own for each parameter,
; apart from the definition's.
(parameters
  (parameter
    type: [
      (type_identifier) @parameter.type
      (generic_type type: (type_identifier) @parameter.type)
      (scoped_type_identifier name: (type_identifier) @parameter.type)
      (abstract_type trait: (type_identifier) @parameter.type)
      (dynamic_type trait: (type_identifier) @parameter.type)
      (reference_type
        type: [
          (type_identifier) @parameter.type
          (generic_type type: (type_identifier) @parameter.type)
          (scoped_type_identifier name: (type_identifier) @parameter.type)
          (dynamic_type trait: (type_identifier) @parameter.type)
        ])
    ]))

; The types a struct's fields are declared with (`log: Logger`, `cache: Cache<K>` as `Cache`,
; `shape: &'a Shape`): a type whose methods its `impl`'s methods mean by a name several types
; define (`self.log.area()`). A pattern of its own.
(field_declaration
  type: [
    (type_identifier) @field.type
    (generic_type type: (type_identifier) @field.type)
    (scoped_type_identifier name: (type_identifier) @field.type)
    (reference_type type: (type_identifier) @field.type)
  ])
