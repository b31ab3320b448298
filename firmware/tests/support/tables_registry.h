// Every generated table set (firmware/core/generated/frontend_*.h) by its config name, so the
// front-end vector check can run the configs of fixtures/frontend/MANIFEST.txt.
#pragma once

#include "frontend_tables.h"

namespace fw::testing {

//! The tables of config `name` ("paper", ...), or nullptr.
const FrontendTables* tables_by_name(const char* name);

}  // namespace fw::testing
