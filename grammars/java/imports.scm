; Like Python's `from a import b`: `import java.util.Map;` has @import.source `java.util` and
; @import.name `Map`; `import static a.B.c;` has source `a.B` and name `c`.
(import_declaration
  (scoped_identifier
    scope: (_) @import.source
    name: (identifier) @import.name) .) @import

; import java.util.*;  /  import static a.B.*;
(import_declaration
  (scoped_identifier) @import.source
  (asterisk)) @import
