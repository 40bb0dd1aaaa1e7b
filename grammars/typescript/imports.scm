; import x from "m"
(import_statement
  (import_clause (identifier) @import.name)
  source: (string) @import.source) @import

; import { a } from "m" / import type { a } from "m"
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

; import x = require("m")
(import_statement
  (import_require_clause
    (identifier) @import.name
    source: (string) @import.source)) @import

; import "m"  (side effects only: nothing bound)
(import_statement
  .
  source: (string) @import.source) @import

; const x = require("m")
([
  (lexical_declaration
    (variable_declarator
      name: (identifier) @import.name
      value: (call_expression
        function: (identifier) @_require
        arguments: (arguments . (string) @import.source .))))
  (variable_declaration
    (variable_declarator
      name: (identifier) @import.name
      value: (call_expression
        function: (identifier) @_require
        arguments: (arguments . (string) @import.source .))))
] @import
  (#eq? @_require "require"))

; const { a, b: c } = require("m")
([
  (lexical_declaration
    (variable_declarator
      name: (object_pattern
        [
          (shorthand_property_identifier_pattern) @import.name
          (pair_pattern value: (identifier) @import.name)
        ])
      value: (call_expression
        function: (identifier) @_require
        arguments: (arguments . (string) @import.source .))))
  (variable_declaration
    (variable_declarator
      name: (object_pattern
        [
          (shorthand_property_identifier_pattern) @import.name
          (pair_pattern value: (identifier) @import.name)
        ])
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

; Names imported above and passed on (@import.reexport.local; @import.reexport.name when exported under another
; name): `import { a } from "./a"; export { a, a as b }`.
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
