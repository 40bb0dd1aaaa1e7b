; Classes and modules (also nested) and their methods; top-level methods; constants.
; Kinds: class, module -> @definition.class; `def` in a class or module and `def self.x` ->
; @definition.method; `def` at the top level -> @definition.function; `NAME = ...` in a class,
; module or at the top level -> @definition.constant. An empty method has no @body.
; `class Billing::InvoiceBuilder` (Rails' compact style) is named `InvoiceBuilder`, the name the
; code uses (`Billing::InvoiceBuilder.new`); the whole path was a name no use ever matched.
[
  (class name: (constant) @name body: (body_statement)? @body)
  (class name: (scope_resolution name: (_) @name) body: (body_statement)? @body)
  (module name: (constant) @name body: (body_statement)? @body)
  (module name: (scope_resolution name: (_) @name) body: (body_statement)? @body)
] @definition.class

(program
  (method
    name: (_) @name
    body: (_)? @body) @definition.function)

; A class's, a module's or a singleton class's methods: `def`, `private def helper(x)` (a method
; defined as a visibility's argument, the inline style, with its visibility), and the modules
; it mixes in (`include Walker`, `extend Helpers`, `prepend(Audit)`, `include Billing::Taxes`:
; a module whose methods it has, as a base's, `@base`, read as a name its header gave; not in a
; method's body, where `include` is any call). One pattern, each body and call once: each
; `body_statement` and typed `call` made tree-sitter's check of the query, at a Ruby file's
; open, walk every state one can be in (the call's method is any node, the word its predicate
; names; a predicate on a capture a match lacks holds).
(
  [
    (class body: (body_statement
      [
        (method name: (_) @name body: (_)? @body) @definition.method
        (call
          method: (_) @_visibility
          arguments: (argument_list . (method name: (_) @name body: (_)? @body) .)) @definition.method
        (call
          !receiver
          method: (_) @_mixin
          arguments: (argument_list [(constant) @base (scope_resolution name: (constant) @base)]))
      ]))
    (module body: (body_statement
      [
        (method name: (_) @name body: (_)? @body) @definition.method
        (call
          method: (_) @_visibility
          arguments: (argument_list . (method name: (_) @name body: (_)? @body) .)) @definition.method
        (call
          !receiver
          method: (_) @_mixin
          arguments: (argument_list [(constant) @base (scope_resolution name: (constant) @base)]))
      ]))
    (singleton_class body: (body_statement
      [
        (method name: (_) @name body: (_)? @body) @definition.method
        (call
          method: (_) @_visibility
          arguments: (argument_list . (method name: (_) @name body: (_)? @body) .)) @definition.method
      ]))
  ]
  (#any-of? @_visibility "private" "protected" "public" "module_function")
  (#any-of? @_mixin "include" "extend" "prepend"))

(singleton_method
  name: (_) @name
  body: (_)? @body) @definition.method

[
  (program (assignment left: (constant) @name) @definition.constant)
  (body_statement (assignment left: (constant) @name) @definition.constant)
]
