; Definitions of a file, also inside `#if`/`#ifdef` blocks (include guards) and `extern "C" {}`.
; Kinds: struct, union, enum -> @definition.class; typedefs -> @definition.type; functions and
; prototypes -> @definition.function; function-like macros -> @definition.function; `#define NAME
; value` and enumerators -> @definition.constant; file-level variables and struct members ->
; @definition.variable.
(function_definition
  declarator: [
    (function_declarator
      declarator: (identifier) @name)
    (pointer_declarator
      declarator: (function_declarator
        declarator: (identifier) @name))
    (pointer_declarator
      declarator: (pointer_declarator
        declarator: (function_declarator
          declarator: (identifier) @name)))
  ]
  body: (compound_statement) @body) @definition.function

[
  (struct_specifier
    name: (type_identifier) @name
    body: (field_declaration_list) @body)
  (union_specifier
    name: (type_identifier) @name
    body: (field_declaration_list) @body)
  (enum_specifier
    name: (type_identifier) @name
    body: (enumerator_list) @body)
] @definition.class

; `typedef struct {...} name_t;` (the body is the struct's) and other typedefs.
(type_definition
  type: [
    (struct_specifier body: (_) @body)
    (union_specifier body: (_) @body)
    (enum_specifier body: (_) @body)
  ]
  declarator: [
    (type_identifier) @name
    (pointer_declarator declarator: (type_identifier) @name)
  ]) @definition.type

(type_definition
  type: [
    (primitive_type)
    (type_identifier)
    (sized_type_specifier)
    (macro_type_specifier)
    (struct_specifier !body)
    (union_specifier !body)
    (enum_specifier !body)
  ]
  declarator: [
    (type_identifier) @name
    (pointer_declarator declarator: (type_identifier) @name)
    (array_declarator declarator: (type_identifier) @name)
    (function_declarator
      declarator: (parenthesized_declarator
        (pointer_declarator declarator: (type_identifier) @name)))
    (pointer_declarator
      declarator: (function_declarator
        declarator: (parenthesized_declarator
          (pointer_declarator declarator: (type_identifier) @name))))
  ]) @definition.type

(preproc_def
  name: (identifier) @name) @definition.constant

(preproc_function_def
  name: (identifier) @name) @definition.function

(enumerator
  name: (identifier) @name) @definition.constant

; File-level declarations: prototypes are functions (no body), the rest variables.
([
  (translation_unit
    (declaration
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))
      ]) @definition.function)
  (preproc_if
    (declaration
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))
      ]) @definition.function)
  (preproc_ifdef
    (declaration
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))
      ]) @definition.function)
  (preproc_else
    (declaration
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))
      ]) @definition.function)
  (declaration_list
    (declaration
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))
      ]) @definition.function)
])

([
  (translation_unit
    (declaration
      declarator: [
        (identifier) @name
        (init_declarator declarator: (identifier) @name)
        (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
        (init_declarator declarator: (array_declarator declarator: (identifier) @name))
        (pointer_declarator declarator: (identifier) @name)
        (array_declarator declarator: (identifier) @name)
      ]) @definition.variable)
  (preproc_if
    (declaration
      declarator: [
        (identifier) @name
        (init_declarator declarator: (identifier) @name)
        (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
        (init_declarator declarator: (array_declarator declarator: (identifier) @name))
        (pointer_declarator declarator: (identifier) @name)
        (array_declarator declarator: (identifier) @name)
      ]) @definition.variable)
  (preproc_ifdef
    (declaration
      declarator: [
        (identifier) @name
        (init_declarator declarator: (identifier) @name)
        (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
        (init_declarator declarator: (array_declarator declarator: (identifier) @name))
        (pointer_declarator declarator: (identifier) @name)
        (array_declarator declarator: (identifier) @name)
      ]) @definition.variable)
  (preproc_else
    (declaration
      declarator: [
        (identifier) @name
        (init_declarator declarator: (identifier) @name)
        (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
        (init_declarator declarator: (array_declarator declarator: (identifier) @name))
        (pointer_declarator declarator: (identifier) @name)
        (array_declarator declarator: (identifier) @name)
      ]) @definition.variable)
  (declaration_list
    (declaration
      declarator: [
        (identifier) @name
        (init_declarator declarator: (identifier) @name)
        (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
        (init_declarator declarator: (array_declarator declarator: (identifier) @name))
        (pointer_declarator declarator: (identifier) @name)
        (array_declarator declarator: (identifier) @name)
      ]) @definition.variable)
])

; Struct and union members.
(field_declaration_list
  (field_declaration
    declarator: [
      (field_identifier) @name
      (pointer_declarator declarator: (field_identifier) @name)
      (pointer_declarator declarator: (pointer_declarator declarator: (field_identifier) @name))
      (array_declarator declarator: (field_identifier) @name)
      (pointer_declarator declarator: (array_declarator declarator: (field_identifier) @name))
    ]) @definition.variable)
