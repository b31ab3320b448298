#include "tables_registry.h"

#include <cstring>

#include "frontend_micro_speech.h"
#include "frontend_paper.h"
#include "frontend_sdk_keyword.h"
#include "frontend_short16.h"

namespace fw {

const FrontendTables* tables_by_name(const char* name) {
  struct Entry {
    const char* name;
    const FrontendTables* tables;
  };
  static const Entry kAll[] = {
      {"paper", &tables::paper::kTables},
      {"micro_speech", &tables::micro_speech::kTables},
      {"sdk_keyword", &tables::sdk_keyword::kTables},
      {"short16", &tables::short16::kTables},
  };
  for (const Entry& e : kAll) {
    if (std::strcmp(e.name, name) == 0) return e.tables;
  }
  return nullptr;
}

}  // namespace fw
