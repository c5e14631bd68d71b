#include <mlpersist/plugin.hpp>

#include "pca.hpp"

MLPERSIST_PLUGIN(decomposition, "1.0.0",
                 [](mlpersist::Registrar& r) { r.add_estimator<mlpersist::decomposition::PCA>(); })
