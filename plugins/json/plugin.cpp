#include <mlpersist/plugin.hpp>

#include "json_backend.hpp"

MLPERSIST_PLUGIN(json, "1.0.0",
                 [](mlpersist::Registrar& r) { r.add_backend<mlpersist::json::JsonBackend>(); })
