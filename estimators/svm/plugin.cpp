#include <mlpersist/plugin.hpp>

#include "svc.hpp"

MLPERSIST_PLUGIN(svm, "1.0.0", [](mlpersist::Registrar& r) { r.add_estimator<mlpersist::svm::SVC>(); })
