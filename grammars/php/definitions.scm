; Types (also in a `namespace X { ... }` block) and their members; top-level functions.
; Kinds: class, interface, trait, enum, a namespace block -> @definition.class; methods -> @definition.method;
; functions -> @definition.function; `const` (top level or in a type) -> @definition.constant;
; properties -> @definition.variable.
[
  (class_declaration name: (name) @name body: (declaration_list) @body)
  (interface_declaration name: (name) @name body: (declaration_list) @body)
  (trait_declaration name: (name) @name body: (declaration_list) @body)
  (enum_declaration name: (name) @name body: (enum_declaration_list) @body)
] @definition.class

; A `namespace X { ... }` block (several in one file, as generated code has them), so that a
; review splits a long one into its types and functions; `namespace { ... }` by its keyword.
[
  (namespace_definition name: (_) @name body: (compound_statement) @body)
  (namespace_definition !name "namespace" @name body: (compound_statement) @body)
] @definition.class

(method_declaration
  name: (name) @name
  body: (compound_statement)? @body) @definition.method

[
  (program (function_definition name: (name) @name body: (compound_statement) @body) @definition.function)
  (namespace_definition
    body: (compound_statement
      (function_definition name: (name) @name body: (compound_statement) @body) @definition.function))
]

; A function under a top-level `if`: a helpers file declares each one only if none is yet
; (`if (! function_exists('money')) { function money(...) {...} }`, Laravel's and its packages').
[
  (program
    (if_statement
      body: [
        (compound_statement (function_definition name: (name) @name body: (compound_statement) @body) @definition.function)
        (colon_block (function_definition name: (name) @name body: (compound_statement) @body) @definition.function)
      ]))
  (namespace_definition
    body: (compound_statement
      (if_statement
        body: [
          (compound_statement (function_definition name: (name) @name body: (compound_statement) @body) @definition.function)
          (colon_block (function_definition name: (name) @name body: (compound_statement) @body) @definition.function)
        ])))
]

[
  (program (const_declaration (const_element (name) @name)) @definition.constant)
  (declaration_list (const_declaration (const_element (name) @name)) @definition.constant)
]

(property_declaration
  (property_element
    name: (variable_name (name) @name))) @definition.variable

; The types a function's parameters are declared with (`Shape $s`, `?Logger $log`, `\Geo\Shape
; $s`): a class it means by a method name several classes define (`$s->area()`). A match of its
; own for each parameter, apart from the definition's.
(formal_parameters
  (_
    type: [
      (named_type (name) @parameter.type)
      (named_type (qualified_name (name) @parameter.type .))
      (optional_type (named_type (name) @parameter.type))
      (optional_type (named_type (qualified_name (name) @parameter.type .)))
    ]))

; The types a class's properties are declared with (`private Logger $log`, `?Cache $cache`, a
; constructor's `private Logger $log`): a class whose methods its own methods mean by a name
; several classes define (`$this->log->area()`). A pattern of its own.
[
  (property_declaration
    type: [
      (named_type (name) @field.type)
      (named_type (qualified_name (name) @field.type .))
      (optional_type (named_type (name) @field.type))
      (optional_type (named_type (qualified_name (name) @field.type .)))
    ])
  (property_promotion_parameter
    type: [
      (named_type (name) @field.type)
      (named_type (qualified_name (name) @field.type .))
      (optional_type (named_type (name) @field.type))
      (optional_type (named_type (qualified_name (name) @field.type .)))
    ])
]
