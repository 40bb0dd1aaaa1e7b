; Definitions of a file, also in namespaces, `extern "C" {}`, `#if`/`#ifdef` blocks (include
; guards) and templates, and class members.
; Kinds: class, struct, union, enum, and a `namespace X { ... }` block -> @definition.class; typedefs and `using X = ...` ->
; @definition.type; free functions and their prototypes -> @definition.function; member
; functions (in the class, or out of it as `A::f`) and their declarations -> @definition.method;
; function-like macros -> @definition.function; `#define NAME value` and enumerators ->
; @definition.constant; namespace- and file-level variables and class fields -> @definition.variable.
;
; A function's or variable's name is matched as any node and told by its text (`#match?`: `f`,
; `~A`, `operator==`; not `A::f`, `f<int>`, `*p`) where a list of node types said it: each typed
; name made tree-sitter's check of the query, at a C++ file's open, walk every parse state a
; declarator can start in (2-3 ms of CPU each, dozens of them: 330 -> 245 ms for this file).
; Inside `#if`/`#ifdef` the type stays: there a method of a class (a `field_identifier`) would
; pass for a free function.

; Free functions: an unqualified name outside a class body.
(
[
  (translation_unit
    (function_definition
      declarator: [
        (function_declarator
          declarator: (_) @name)
        (_
          (function_declarator
            declarator: (_) @name))
      ]
      body: (compound_statement)? @body) @definition.function)
  (translation_unit
    (template_declaration
      (function_definition
        declarator: [
          (function_declarator
            declarator: (_) @name)
          (_
            (function_declarator
              declarator: (_) @name))
        ]
        body: (compound_statement)? @body) @definition.function))
  (declaration_list
    (function_definition
      declarator: [
        (function_declarator
          declarator: (_) @name)
        (_
          (function_declarator
            declarator: (_) @name))
      ]
      body: (compound_statement)? @body) @definition.function)
  (declaration_list
    (template_declaration
      (function_definition
        declarator: [
          (function_declarator
            declarator: (_) @name)
          (_
            (function_declarator
              declarator: (_) @name))
        ]
        body: (compound_statement)? @body) @definition.function))
  (preproc_ifdef
    (function_definition
      declarator: [
        (function_declarator
          declarator: (identifier) @name)
        (_
          (function_declarator
            declarator: (identifier) @name))
      ]
      body: (compound_statement)? @body) @definition.function)
  (preproc_if
    (function_definition
      declarator: [
        (function_declarator
          declarator: (identifier) @name)
        (_
          (function_declarator
            declarator: (identifier) @name))
      ]
      body: (compound_statement)? @body) @definition.function)
  ; `extern "C" void f(int) {...}`: one definition given C linkage (a block's are in a
  ; declaration_list).
  (linkage_specification
    body: (function_definition
      declarator: [
        (function_declarator
          declarator: (_) @name)
        (_
          (function_declarator
            declarator: (_) @name))
      ]
      body: (compound_statement)? @body) @definition.function)
]
  (#match? @name "^[\\w$]+$|^operator\\b[^(]*$"))

; Out-of-class member functions: `T A::f() {...}`, `A::~A() {...}`.
(
(function_definition
  declarator: [
    (function_declarator
      declarator: (qualified_identifier
        name: [
          (_) @name
          (qualified_identifier
            name: (_) @name)
        ]))
    (_
      (function_declarator
        declarator: (qualified_identifier
          name: [
            (_) @name
            (qualified_identifier
              name: (_) @name)
          ])))
  ]
  body: (compound_statement)? @body) @definition.method
  (#match? @name "^(~\\s*)?[\\w$]+$|^operator\\b"))

; Member functions defined in the class body, or under `#if`, `#ifdef`, `#elif` or `#else` in
; it (a debug or platform method with its body): a `field_identifier` names them, wherever they
; are (an `identifier` names a free function), and one pattern without a parent finds both.
(function_definition
  declarator: [
    (function_declarator
      declarator: (field_identifier) @name)
    (_
      (function_declarator
        declarator: (field_identifier) @name))
  ]
  body: (compound_statement)? @body) @definition.method

; Destructors and operators defined in the class body, and templates of methods.
(
[
  (field_declaration_list
    (function_definition
      declarator: [
        (function_declarator
          declarator: [(identifier) (destructor_name) (operator_name)] @name)
        (_
          (function_declarator
            declarator: [(identifier) (destructor_name) (operator_name)] @name))
      ]
      body: (compound_statement)? @body) @definition.method)
  (field_declaration_list
    (template_declaration
      (function_definition
        declarator: [
          (function_declarator
            declarator: (_) @name)
          (_
            (function_declarator
              declarator: (_) @name))
        ]
        body: (compound_statement)? @body) @definition.method))
]
  (#match? @name "^(~\\s*)?[\\w$]+$|^operator\\b"))

; Member functions declared in the class body: `void f();`, `~A();`, `A(int x);`. A
; field_declaration is in a class body or in an `#if`/`#ifdef` block of one, which a parent
; named in the pattern left out (`#ifdef DEBUG` `void dump() const;` `#endif`).
(
(field_declaration declarator: [
    (function_declarator
      declarator: (_) @name)
    (_
      (function_declarator
        declarator: (_) @name))
  ]) @definition.method
  (#match? @name "^(~\\s*)?[\\w$]+$|^operator\\b"))

(
[
  (field_declaration_list
    (declaration declarator: [
        (function_declarator
          declarator: (_) @name)
        (_
          (function_declarator
            declarator: (_) @name))
      ]) @definition.method)
  (field_declaration_list
    (template_declaration
      (declaration declarator: [
          (function_declarator
            declarator: (_) @name)
          (_
            (function_declarator
              declarator: (_) @name))
        ]) @definition.method))
]
  (#match? @name "^(~\\s*)?[\\w$]+$|^operator\\b"))

; A namespace block, so that a review splits a long one into the definitions it holds
; (like a long class into its members) instead of sending it in chunks of lines.
[
  (namespace_definition
    name: (_) @name
    body: (declaration_list) @body)
  ; `namespace { ... }` (file-local helpers), named by its keyword.
  (namespace_definition
    !name
    "namespace" @name
    body: (declaration_list) @body)
] @definition.class

[
  (class_specifier
    name: [
      (type_identifier) @name
      (_ name: (type_identifier) @name)
    ]
    body: (field_declaration_list) @body)
  (struct_specifier
    name: [
      (type_identifier) @name
      (_ name: (type_identifier) @name)
    ]
    body: (field_declaration_list) @body)
  (union_specifier
    name: [
      (type_identifier) @name
      (_ name: (type_identifier) @name)
    ]
    body: (field_declaration_list) @body)
  (enum_specifier
    name: [
      (type_identifier) @name
      (_ name: (type_identifier) @name)
    ]
    body: (enumerator_list) @body)
] @definition.class

; `typedef struct {...} name_t;` (the body is the struct's) and other typedefs.
(type_definition
  type: (_ body: (_) @body)
  declarator: [
    (type_identifier) @name
    (pointer_declarator declarator: (type_identifier) @name)
  ]) @definition.type

; (`typedef std::size_t size_type;`, `typedef typename _Base::iterator iterator;`,
; `typedef std::vector<int> ids;`: a container's member types.)
(type_definition
  type: [
    (primitive_type)
    (type_identifier)
    (sized_type_specifier)
    (qualified_identifier)
    (dependent_type)
    (template_type)
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

(alias_declaration
  name: (type_identifier) @name) @definition.type

(preproc_def
  name: (identifier) @name) @definition.constant

(preproc_function_def
  name: (identifier) @name) @definition.function

(enumerator
  name: (identifier) @name) @definition.constant

; A function returning a function pointer, `int (*pick(int code))(int)`, and an explicit
; specialisation of a function template, `template <> int parse<int>(const char* s)` (`parse`),
; one returning a pointer or a reference too (`template <> char* make<char>()`), anywhere but
; in a class body (an `identifier` names them there): a definition's or a declaration's. One
; pattern whose parent is any node: each function and declaration step costs its own walk of
; the grammar at the query's compile.
(_
  declarator: [
    (function_declarator
      declarator: [
        (parenthesized_declarator
          (pointer_declarator
            declarator: (function_declarator
              declarator: (identifier) @name)))
        (template_function
          name: (identifier) @name)
      ])
    (_
      (function_declarator
        declarator: (template_function
          name: (identifier) @name)))
  ]
  body: (compound_statement)? @body) @definition.function

; Prototypes of free functions.
(
[
  (translation_unit
    (declaration declarator: [
        (function_declarator
          declarator: (_) @name)
        (_
          (function_declarator
            declarator: (_) @name))
        (_
          (_
            (function_declarator
              declarator: (_) @name)))
      ]) @definition.function)
  (translation_unit
    (template_declaration
      (declaration declarator: [
          (function_declarator
            declarator: (_) @name)
          (_
            (function_declarator
              declarator: (_) @name))
          (_
            (_
              (function_declarator
                declarator: (_) @name)))
        ]) @definition.function))
  (declaration_list
    (declaration declarator: [
        (function_declarator
          declarator: (_) @name)
        (_
          (function_declarator
            declarator: (_) @name))
        (_
          (_
            (function_declarator
              declarator: (_) @name)))
      ]) @definition.function)
  (declaration_list
    (template_declaration
      (declaration declarator: [
          (function_declarator
            declarator: (_) @name)
          (_
            (function_declarator
              declarator: (_) @name))
          (_
            (_
              (function_declarator
                declarator: (_) @name)))
        ]) @definition.function))
  (preproc_ifdef
    (declaration declarator: [
        (function_declarator
          declarator: (identifier) @name)
        (_
          (function_declarator
            declarator: (identifier) @name))
        (_
          (_
            (function_declarator
              declarator: (identifier) @name)))
      ]) @definition.function)
  (preproc_if
    (declaration declarator: [
        (function_declarator
          declarator: (identifier) @name)
        (_
          (function_declarator
            declarator: (identifier) @name))
        (_
          (_
            (function_declarator
              declarator: (identifier) @name)))
      ]) @definition.function)
  ; `extern "C" int f(int);`: one declaration given C linkage.
  (linkage_specification
    body: (declaration declarator: [
        (function_declarator
          declarator: (_) @name)
        (_
          (function_declarator
            declarator: (_) @name))
      ]) @definition.function)
]
  (#match? @name "^[\\w$]+$|^operator\\b[^(]*$"))

(
[
  (translation_unit
    (declaration
      declarator: [
        (_) @name
        (init_declarator declarator: (_) @name)
        (init_declarator declarator: (pointer_declarator declarator: (_) @name))
        (pointer_declarator declarator: (_) @name)
        (array_declarator declarator: (_) @name)
      ]) @definition.variable)
  (declaration_list
    (declaration
      declarator: [
        (_) @name
        (init_declarator declarator: (_) @name)
        (init_declarator declarator: (pointer_declarator declarator: (_) @name))
        (pointer_declarator declarator: (_) @name)
        (array_declarator declarator: (_) @name)
      ]) @definition.variable)
  (preproc_ifdef
    (declaration
      declarator: [
        (identifier) @name
        (init_declarator declarator: (identifier) @name)
        (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
        (pointer_declarator declarator: (identifier) @name)
        (array_declarator declarator: (identifier) @name)
      ]) @definition.variable)
  (preproc_if
    (declaration
      declarator: [
        (identifier) @name
        (init_declarator declarator: (identifier) @name)
        (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
        (pointer_declarator declarator: (identifier) @name)
        (array_declarator declarator: (identifier) @name)
      ]) @definition.variable)
]
  (#match? @name "^[\\w$]+$"))

(field_declaration
  declarator: [
    (field_identifier) @name
    (pointer_declarator declarator: (field_identifier) @name)
    (reference_declarator (field_identifier) @name)
    (array_declarator declarator: (field_identifier) @name)
  ]) @definition.variable

; The types a function's parameters are declared with (`const Shape& s`, `Logger* log`,
; `Cache<K> c` as `Cache`, `geo::Shape s`): a class it means by a method name several classes
; define (`s.area()`). A match of its own for each parameter, apart from the definition's.
(parameter_list
  (parameter_declaration
    type: [
      (type_identifier) @parameter.type
      (template_type name: (type_identifier) @parameter.type)
      (qualified_identifier name: (type_identifier) @parameter.type)
    ]))

; The types a class's fields are declared with (`Logger* log_`, `Cache<K> cache` as `Cache`): a
; class whose methods its own methods mean by a name several classes define (`log_->area()`). A
; pattern of its own.
(field_declaration
  type: [
    (type_identifier) @field.type
    (template_type name: (type_identifier) @field.type)
    (qualified_identifier name: (type_identifier) @field.type)
  ])
