; Classes and modules (also nested) and their methods; top-level methods; constants.
; Kinds: class, module -> @definition.class; `def` in a class or module and `def self.x` ->
; @definition.method; `def` at the top level -> @definition.function; `NAME = ...` in a class,
; module or at the top level -> @definition.constant. An empty method has no @body.
[
  (class name: (_) @name body: (body_statement)? @body)
  (module name: (_) @name body: (body_statement)? @body)
] @definition.class

(program
  (method
    name: (_) @name
    body: (_)? @body) @definition.function)

[
  (class body: (body_statement (method name: (_) @name body: (_)? @body) @definition.method))
  (module body: (body_statement (method name: (_) @name body: (_)? @body) @definition.method))
  (singleton_class body: (body_statement (method name: (_) @name body: (_)? @body) @definition.method))
]

(singleton_method
  name: (_) @name
  body: (_)? @body) @definition.method

[
  (program (assignment left: (constant) @name) @definition.constant)
  (body_statement (assignment left: (constant) @name) @definition.constant)
]
