; import x from "m"
(import_statement
  (import_clause (identifier) @import.name)
  source: (string) @import.source) @import

; import { a } from "m"
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
