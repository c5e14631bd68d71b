#include <mlpersist/plugin.hpp>

#include "gaussian_nb.hpp"

MLPERSIST_PLUGIN(naive_bayes, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_estimator<mlpersist::naive_bayes::GaussianNB>();
})
