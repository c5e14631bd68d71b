#include <mlpersist/plugin.hpp>

#include "kmeans.hpp"

MLPERSIST_PLUGIN(cluster, "1.0.0",
                 [](mlpersist::Registrar& r) { r.add_estimator<mlpersist::cluster::KMeans>(); })
