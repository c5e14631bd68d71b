#include <mlpersist/plugin.hpp>

#include "column_transformer.hpp"

MLPERSIST_PLUGIN(compose, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_estimator<mlpersist::compose::ColumnTransformer>();
})
