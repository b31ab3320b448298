// Every generated table set (firmware/core/generated/frontend_*.h) by its config name, for the
// native board's --frontend option and the front-end vector check (fixtures/frontend).
#pragma once

#include "frontend_tables.h"

namespace fw {

//! The tables of config `name` ("paper", ...), or nullptr.
const FrontendTables* tables_by_name(const char* name);

}  // namespace fw
