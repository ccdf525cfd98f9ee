// Schema of the sync tables (field operations, rows, conflicts, cursors), owned by the sync
// part of the server. Add migrations here with the next free version number (after the
// highest in schema_accounts.cpp and this file); never edit one that has shipped.
#include "storage/migrations.h"

namespace rapidesk::server {

std::span<const Migration> sync_migrations() { return {}; }

}  // namespace rapidesk::server
