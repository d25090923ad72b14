# Writes OUT, a C++ file defining station::sync::schema_files() over the text of FILES (in version
# order: sql/v1.sql, sql/v2.sql, ...). Each is kept byte for byte as a raw string.
set(body "// Generated from station/sync/sql by embed_sql.cmake. Do not edit.\n#include \"station/sync/client.h\"\n\nnamespace station::sync {\n\nconst std::vector<SchemaFile>& schema_files() {\n  static const std::vector<SchemaFile> kFiles = {\n")
string(REPLACE "|" ";" FILES "${FILES}")
set(version 1)
foreach(f ${FILES})
  file(READ ${f} text)
  get_filename_component(name ${f} NAME)
  string(APPEND body "      {${version}, \"${name}\", R\"SQL_FILE(${text})SQL_FILE\"},\n")
  math(EXPR version "${version} + 1")
endforeach()
string(APPEND body "  };\n  return kFiles;\n}\n\n}  // namespace station::sync\n")
file(WRITE ${OUT} "${body}")
