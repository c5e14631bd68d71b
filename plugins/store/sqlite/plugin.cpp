#include <mlpersist/plugin.hpp>

#include "sqlite_store.hpp"

MLPERSIST_PLUGIN(store_sqlite, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_store("sqlite", "embedded store in one SQLite file (WAL): sqlite:///path/models.db",
              [](const mlpersist::StoreUri& uri) -> std::unique_ptr<mlpersist::StoreBackend> {
                return std::make_unique<mlpersist::sqlite::SqliteStore>(uri.location);
              });
})
