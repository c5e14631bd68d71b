#include <mlpersist/plugin.hpp>

#include "pg_store.hpp"

MLPERSIST_PLUGIN(store_postgresql, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_store("postgresql",
              "PostgreSQL store for fleets: postgresql://host/db (credentials from PG* "
              "variables or ~/.pgpass)",
              [](const mlpersist::StoreUri& uri) -> std::unique_ptr<mlpersist::StoreBackend> {
                return std::make_unique<mlpersist::postgresql::PgStore>(uri.uri);
              });
})
