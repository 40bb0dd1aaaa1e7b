; `import java.util.Map;` has @import.source `java.util.Map` (the class, whose file is looked
; for in the source root) and @import.name `Map`; `import static a.B.c;` has source `a.B.c`
; and name `c`.
(import_declaration
  (scoped_identifier
    name: (identifier) @import.name) @import.source .) @import

; import java.util.*;  /  import static a.B.*;
(import_declaration
  (scoped_identifier) @import.source
  (asterisk)) @import
