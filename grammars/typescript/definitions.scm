; Definitions at the top level, exported (also from a namespace or `declare module`), declared
; (`declare ...`), class/interface members, the members of an object type given a name and the
; methods of a top-level object literal.
; Kinds: class-like declarations with a member body (class, interface, enum) and namespaces ->
; @definition.class;
; type aliases -> @definition.type; functions and functions assigned to a name -> @definition.function;
; other const/let/var, class fields and interface properties -> @definition.variable (a value with
; a `body` field is a function or class); methods and method signatures -> @definition.method.

(program
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
    (enum_declaration
      name: (_) @name
      body: (enum_body) @body)
  ] @definition.class)

(export_statement
  declaration: [
    (class_declaration
      name: (_) @name
      body: (class_body) @body)
    (abstract_class_declaration
      name: (_) @name
      body: (class_body) @body)
    (interface_declaration
      name: (_) @name
      body: (interface_body) @body)
    (enum_declaration
      name: (_) @name
      body: (enum_body) @body)
  ] @definition.class)

(ambient_declaration
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
    (enum_declaration
      name: (_) @name
      body: (enum_body) @body)
  ] @definition.class)

; A namespace (`namespace Geo {...}`, `declare module "x" {...}`), so that a review splits a
; long one into its definitions, like a long class into its members. An unexported
; `namespace A.B {...}` is an expression statement in this grammar: the statement is captured.
(export_statement
  declaration: (internal_module
    name: (_) @name
    body: (statement_block) @body) @definition.class)
(expression_statement
  (internal_module
    name: (_) @name
    body: (statement_block) @body)) @definition.class
(ambient_declaration
  (module
    name: (_) @name
    body: (statement_block) @body)) @definition.class
(program
  (module
    name: (_) @name
    body: (statement_block) @body) @definition.class)

; Unexported functions and classes of a namespace.
(internal_module
  body: (statement_block
    [
      (function_declaration
        name: (identifier) @name
        body: (statement_block) @body)
      (generator_function_declaration
        name: (identifier) @name
        body: (statement_block) @body)
    ] @definition.function))
(internal_module
  body: (statement_block
    [
      (class_declaration
        name: (_) @name
        body: (class_body) @body)
      (abstract_class_declaration
        name: (_) @name
        body: (class_body) @body)
    ] @definition.class))

(program
  [
    (function_declaration
      name: (identifier) @name
      body: (statement_block) @body)
    (generator_function_declaration
      name: (identifier) @name
      body: (statement_block) @body)
    (function_signature
      name: (identifier) @name)
  ] @definition.function)

(export_statement
  declaration: [
    (function_declaration
      name: (identifier) @name
      body: (statement_block) @body)
    (generator_function_declaration
      name: (identifier) @name
      body: (statement_block) @body)
    (function_signature
      name: (identifier) @name)
  ] @definition.function)

(ambient_declaration
  [
    (function_declaration
      name: (identifier) @name
      body: (statement_block) @body)
    (generator_function_declaration
      name: (identifier) @name
      body: (statement_block) @body)
    (function_signature
      name: (identifier) @name)
  ] @definition.function)

(program
  [
    (type_alias_declaration
      name: (_) @name)
  ] @definition.type)

(export_statement
  declaration: [
    (type_alias_declaration
      name: (_) @name)
  ] @definition.type)

(ambient_declaration
  [
    (type_alias_declaration
      name: (_) @name)
  ] @definition.type)

; `const Name = class {...}`
[
  (program
    [
      (lexical_declaration
        (variable_declarator
          name: (identifier) @name
          value: (class body: (class_body) @body)))
      (variable_declaration
        (variable_declarator
          name: (identifier) @name
          value: (class body: (class_body) @body)))
    ] @definition.class)
  (export_statement
    declaration: (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        value: (class body: (class_body) @body))) @definition.class)
]

; `const f = () => {...}` / `var f = function () {...}`
(program
  [
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        value: [
          (arrow_function body: (_) @body)
          (function_expression body: (statement_block) @body)
          (generator_function body: (statement_block) @body)
        ]))
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        value: [
          (arrow_function body: (_) @body)
          (function_expression body: (statement_block) @body)
          (generator_function body: (statement_block) @body)
        ]))
  ] @definition.function)

(export_statement
  declaration: [
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        value: [
          (arrow_function body: (_) @body)
          (function_expression body: (statement_block) @body)
          (generator_function body: (statement_block) @body)
        ]))
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        value: [
          (arrow_function body: (_) @body)
          (function_expression body: (statement_block) @body)
          (generator_function body: (statement_block) @body)
        ]))
  ] @definition.function)

(ambient_declaration
  [
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        value: [
          (arrow_function body: (_) @body)
          (function_expression body: (statement_block) @body)
          (generator_function body: (statement_block) @body)
        ]))
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        value: [
          (arrow_function body: (_) @body)
          (function_expression body: (statement_block) @body)
          (generator_function body: (statement_block) @body)
        ]))
  ] @definition.function)

(program
  [
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        value: (_ !body)))
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        !value))
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        value: (_ !body)))
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        !value))
  ] @definition.variable)

(export_statement
  declaration: [
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        value: (_ !body)))
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        !value))
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        value: (_ !body)))
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        !value))
  ] @definition.variable)

(ambient_declaration
  [
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        value: (_ !body)))
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        !value))
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        value: (_ !body)))
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        !value))
  ] @definition.variable)

(class_body
  [
    (method_definition
      name: (_) @name
      body: (statement_block) @body)
    (public_field_definition
      name: (_) @name
      value: [
        (arrow_function body: (_) @body)
        (function_expression body: (statement_block) @body)
      ])
    (method_signature
      name: (_) @name)
    (abstract_method_signature
      name: (_) @name)
  ] @definition.method)

(interface_body
  (method_signature
    name: (_) @name) @definition.method)

(class_body
  [
    (public_field_definition
      name: (_) @name
      value: (_ !body))
    (public_field_definition
      name: (_) @name
      !value)
  ] @definition.variable)

; Methods of an object literal bound at the top level (`export const api = { get(url) {...},
; post: (url, body) => {...} }`, `module.exports = {...}`): what `api.get(...)` calls. The object
; itself is a variable (its first lines).
(program
  (_
    (variable_declarator
      value: (object
        [
          (method_definition
            name: (property_identifier) @name
            body: (statement_block) @body) @definition.method
          (pair
            key: (property_identifier) @name
            value: [
              (arrow_function body: (_) @body)
              (function_expression body: (statement_block) @body)
            ]) @definition.method
        ]))))

(program
  (export_statement
    declaration: (_
      (variable_declarator
        value: (object
          [
            (method_definition
              name: (property_identifier) @name
              body: (statement_block) @body) @definition.method
            (pair
              key: (property_identifier) @name
              value: [
                (arrow_function body: (_) @body)
                (function_expression body: (statement_block) @body)
              ]) @definition.method
          ])))))

; `export default { get(url) {...} }`: the methods of the object a module exports by default
; (`import api from "./api"` then `api.get(`).
(program
  (export_statement
    value: (object
      [
        (method_definition
          name: (property_identifier) @name
          body: (statement_block) @body) @definition.method
        (pair
          key: (property_identifier) @name
          value: [
            (arrow_function body: (_) @body)
            (function_expression body: (statement_block) @body)
          ]) @definition.method
      ])))

; CommonJS exports one at a time: `exports.parse = function (text) {...}`,
; `module.exports.parse = (text) => ...` (what `require("./x").parse(` calls).
; One pattern: each step costs its own walk of the grammar at a file's open.
((program
  (expression_statement
    (assignment_expression
      left: [
        (member_expression
          object: (identifier) @_exports
          property: (property_identifier) @name)
        (member_expression
          object: (member_expression
            object: (identifier) @_module
            property: (property_identifier) @_exports)
          property: (property_identifier) @name)
      ]
      right: [
        (arrow_function body: (_) @body)
        (function_expression body: (statement_block) @body)
      ])) @definition.function)
  (#eq? @_module "module")
  (#eq? @_exports "exports"))

(program
  (expression_statement
    (assignment_expression
      right: (object
        [
          (method_definition
            name: (property_identifier) @name
            body: (statement_block) @body) @definition.method
          (pair
            key: (property_identifier) @name
            value: [
              (arrow_function body: (_) @body)
              (function_expression body: (statement_block) @body)
            ]) @definition.method
        ]))))

; Properties of an interface (`timeout: number;`) and of an object type given a name
; (`type Opts = { timeout: number; get(key: string): V }`): variables, as a class's fields.
(interface_body
  (property_signature
    name: (_) @name) @definition.variable)

(type_alias_declaration
  value: (object_type
    [
      (property_signature
        name: (_) @name) @definition.variable
      (method_signature
        name: (_) @name) @definition.method
    ]))

; The types a function's or a method's parameters are declared with (`s: Shape`, `log?: Logger`,
; `log: Logger | null`, `c: Cache<K>` as `Cache`, `s: geo.Shape`): a class it means by a method
; name several classes define (`s.area()`). A match of its own for each parameter, apart from the
; definition's.
(formal_parameters
  ; `required_parameter` and `optional_parameter`, the parameters with a type.
  (_
    type: (type_annotation
      [
        (type_identifier) @parameter.type
        (generic_type name: (type_identifier) @parameter.type)
        (nested_type_identifier name: (type_identifier) @parameter.type)
        (union_type (type_identifier) @parameter.type)
      ])))

; The types a class's fields are declared with (`private log: Logger`, `cache?: Cache<K>` as
; `Cache`, a constructor's `private readonly log: Logger`): a class whose methods its own
; methods mean by a name several classes define (`this.log.area()`). A pattern of its own.
[
  (public_field_definition
    type: (type_annotation
      [
        (type_identifier) @field.type
        (generic_type name: (type_identifier) @field.type)
        (nested_type_identifier name: (type_identifier) @field.type)
        (union_type (type_identifier) @field.type)
      ]))
  (required_parameter
    [(accessibility_modifier) "readonly"]
    type: (type_annotation
      [
        (type_identifier) @field.type
        (generic_type name: (type_identifier) @field.type)
        (nested_type_identifier name: (type_identifier) @field.type)
        (union_type (type_identifier) @field.type)
      ]))
]
