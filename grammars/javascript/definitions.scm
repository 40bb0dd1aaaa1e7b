; Top-level definitions (also when exported), class members, the methods of a top-level
; object literal, and the functions of a module wrapped in a function (a UMD bundle's, a test suite's).
; Kinds: classes -> @definition.class; functions, and functions assigned to a
; top-level name -> @definition.function; other top-level const/let/var and class fields ->
; @definition.variable; class and object-literal methods -> @definition.method.
(program
  [
    (class_declaration
      name: (identifier) @name
      body: (class_body) @body) @definition.class
    (export_statement
      declaration: (class_declaration
        name: (identifier) @name
        body: (class_body) @body) @definition.class)
  ])

(program
  [
    (function_declaration
      name: (identifier) @name
      body: (statement_block) @body) @definition.function
    (generator_function_declaration
      name: (identifier) @name
      body: (statement_block) @body) @definition.function
    (export_statement
      declaration: [
        (function_declaration
          name: (identifier) @name
          body: (statement_block) @body)
        (generator_function_declaration
          name: (identifier) @name
          body: (statement_block) @body)
      ] @definition.function)
  ])

; Functions declared in a function given to a top-level call (`describe("...", function () {...})`,
; `define([...], function (a) {...})`) or called at once around the module (`(function (root)
; {...})(this)`, a UMD bundle's wrapper): the module's own helpers, used all over it.
(program
  (expression_statement
    (call_expression
      (_
        (_
          body: (statement_block
            (function_declaration
              name: (identifier) @name
              body: (statement_block) @body) @definition.function))))))

; `const Name = class {...}`
(program
  [
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        value: (class body: (class_body) @body))) @definition.class
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        value: (class body: (class_body) @body))) @definition.class
    (export_statement
      declaration: (lexical_declaration
        (variable_declarator
          name: (identifier) @name
          value: (class body: (class_body) @body))) @definition.class)
  ])

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
        ])) @definition.function
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        value: [
          (arrow_function body: (_) @body)
          (function_expression body: (statement_block) @body)
          (generator_function body: (statement_block) @body)
        ])) @definition.function
    (export_statement
      declaration: (lexical_declaration
        (variable_declarator
          name: (identifier) @name
          value: [
            (arrow_function body: (_) @body)
            (function_expression body: (statement_block) @body)
            (generator_function body: (statement_block) @body)
          ])) @definition.function)
  ])

; Other top-level variables: the value is not a function (functions and classes have a body).
(program
  [
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        value: (_ !body))) @definition.variable
    (lexical_declaration
      (variable_declarator
        name: (identifier) @name
        !value)) @definition.variable
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        value: (_ !body))) @definition.variable
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        !value)) @definition.variable
    (export_statement
      declaration: (lexical_declaration
        (variable_declarator
          name: (identifier) @name
          value: (_ !body))) @definition.variable)
    (export_statement
      declaration: (variable_declaration
        (variable_declarator
          name: (identifier) @name
          value: (_ !body))) @definition.variable)
  ])

(class_body
  (method_definition
    name: (_) @name
    body: (statement_block) @body) @definition.method)

(class_body
  (field_definition
    property: (_) @name
    value: [
      (arrow_function body: (_) @body)
      (function_expression body: (statement_block) @body)
    ]) @definition.method)

(class_body
  (field_definition
    property: (_) @name
    value: (_ !body)) @definition.variable)

(class_body
  (field_definition
    property: (_) @name
    !value) @definition.variable)

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

; A module that is one named function or class: `module.exports = function parse(text) {...}`
; (what a barrel's `parse: require("./parse")` passes on).
((program
  (expression_statement
    (assignment_expression
      left: (member_expression
        object: (identifier) @_module
        property: (property_identifier) @_exports)
      right: (function_expression
        name: (identifier) @name
        body: (statement_block) @body))) @definition.function)
  (#eq? @_module "module")
  (#eq? @_exports "exports"))

((program
  (expression_statement
    (assignment_expression
      left: (member_expression
        object: (identifier) @_module
        property: (property_identifier) @_exports)
      right: (class
        name: (identifier) @name
        body: (class_body) @body))) @definition.class)
  (#eq? @_module "module")
  (#eq? @_exports "exports"))
