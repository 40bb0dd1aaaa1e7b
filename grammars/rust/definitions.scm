; Items at the top level or in a module, and members of impl and trait blocks.
; Kinds: struct, union, enum and trait -> @definition.class; `type` aliases -> @definition.type;
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
