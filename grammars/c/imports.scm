; #include <stdio.h> / #include "local.h": no names are bound.
(preproc_include
  path: (_) @import.source) @import
