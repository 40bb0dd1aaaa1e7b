; import x from "m"
(import_statement
  (import_clause (identifier) @import.name)
  source: (string) @import.source) @import

; import { a } from "m" / import type { a } from "m" (TypeScript)
(import_statement
  (import_clause
    (named_imports
      (import_specifier
        name: (identifier) @import.name
        !alias)))
  source: (string) @import.source) @import

; import { a as b } from "m"
(import_statement
  (import_clause
    (named_imports
      (import_specifier
        alias: (identifier) @import.name)))
  source: (string) @import.source) @import

; import * as ns from "m"
(import_statement
  (import_clause
    (namespace_import (identifier) @import.name))
  source: (string) @import.source) @import

; import "m"  (side effects only: nothing bound)
(import_statement
  .
  source: (string) @import.source) @import

; const x = require("m"), const { a, b: c } = require("m"): one pattern (each declaration and
; call step costs its own walk of the grammar at a TypeScript file's open, for each pattern).
([
  (lexical_declaration
    (variable_declarator
      name: [
        (identifier) @import.name
        (object_pattern
          [
            (shorthand_property_identifier_pattern) @import.name
            (pair_pattern value: (identifier) @import.name)
          ])
      ]
      value: (call_expression
        function: (identifier) @_require
        arguments: (arguments . (string) @import.source .))))
  (variable_declaration
    (variable_declarator
      name: [
        (identifier) @import.name
        (object_pattern
          [
            (shorthand_property_identifier_pattern) @import.name
            (pair_pattern value: (identifier) @import.name)
          ])
      ]
      value: (call_expression
        function: (identifier) @_require
        arguments: (arguments . (string) @import.source .))))
] @import
  (#eq? @_require "require"))

; Re-exports: a barrel (index.ts, internal.ts) passes on names it does not define, and a file
; that imports from it is followed on to the files that do (@import.reexport; @import.name the
; name as exported).
; export * from "m"
(export_statement
  "*"
  source: (string) @import.source) @import @import.reexport

; export * as ns from "m"
(export_statement
  (namespace_export (identifier) @import.name)
  source: (string) @import.source) @import @import.reexport

; export { a } from "m"
(export_statement
  (export_clause
    (export_specifier
      name: (identifier) @import.name
      !alias))
  source: (string) @import.source) @import @import.reexport

; export { a as b } from "m", export { default as B } from "m"
(export_statement
  (export_clause
    (export_specifier
      alias: (identifier) @import.name))
  source: (string) @import.source) @import @import.reexport

; CommonJS re-exports (a Node package's index.js).
; module.exports = require("m")
((expression_statement
  (assignment_expression
    left: (member_expression
      object: (identifier) @_module
      property: (property_identifier) @_exports)
    right: (call_expression
      function: (identifier) @_require
      arguments: (arguments . (string) @import.source .)))) @import @import.reexport
  (#eq? @_module "module")
  (#eq? @_exports "exports")
  (#eq? @_require "require"))

; module.exports = { a: require("m") }, module.exports = { ...require("m") } (@import the pair
; or the spread: the object may hold whole functions), and the names imported above and passed
; on by name, module.exports = { a, c: b } (@import.reexport.local; @import.reexport.name when
; exported under another name). One pattern: each step costs its own walk of the grammar.
((expression_statement
  (assignment_expression
    left: (member_expression
      object: (identifier) @_module
      property: (property_identifier) @_exports)
    right: (object
      [
        (pair
          key: (property_identifier) @import.name
          value: (call_expression
            function: (identifier) @_require
            arguments: (arguments . (string) @import.source .))) @import @import.reexport
        (spread_element
          (call_expression
            function: (identifier) @_require
            arguments: (arguments . (string) @import.source .))) @import @import.reexport
        (shorthand_property_identifier) @import.reexport.local
        (pair
          key: (property_identifier) @import.reexport.name
          value: (identifier) @import.reexport.local)
      ])))
  (#eq? @_module "module")
  (#eq? @_exports "exports")
  (#eq? @_require "require"))

; exports.a = require("m"), exports.a = require("m").a, and the same of module.exports.a
((expression_statement
  (assignment_expression
    left: [
      (member_expression
        object: (identifier) @_exports
        property: (property_identifier) @import.name)
      (member_expression
        object: (member_expression
          object: (identifier) @_module
          property: (property_identifier) @_exports)
        property: (property_identifier) @import.name)
    ]
    right: [
      (call_expression
        function: (identifier) @_require
        arguments: (arguments . (string) @import.source .))
      (member_expression
        object: (call_expression
          function: (identifier) @_require
          arguments: (arguments . (string) @import.source .)))
    ])) @import @import.reexport
  (#eq? @_module "module")
  (#eq? @_exports "exports")
  (#eq? @_require "require"))

; Names imported above and passed on (@import.reexport.local; @import.reexport.name when exported
; under another name): `export { a, b as c }` (`module.exports = { a, c: b }` above), `exports.c = b`.
(export_statement
  (export_clause
    (export_specifier
      name: (identifier) @import.reexport.local
      !alias))
  !source)

(export_statement
  (export_clause
    (export_specifier
      name: (identifier) @import.reexport.local
      alias: (identifier) @import.reexport.name))
  !source)

; exports.c = b, module.exports.c = b
((expression_statement
  (assignment_expression
    left: [
      (member_expression
        object: (identifier) @_exports
        property: (property_identifier) @import.reexport.name)
      (member_expression
        object: (member_expression
          object: (identifier) @_module
          property: (property_identifier) @_exports)
        property: (property_identifier) @import.reexport.name)
    ]
    right: (identifier) @import.reexport.local))
  (#eq? @_module "module")
  (#eq? @_exports "exports"))
