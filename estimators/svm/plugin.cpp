#include <mlpersist/plugin.hpp>

#include "svc.hpp"
#include "svc_migrations.hpp"
#include "svr.hpp"

MLPERSIST_PLUGIN(svm, "1.0.0", [](mlpersist::Registrar& r) {
  using namespace mlpersist::svm;
  const std::string tag(SVC::kTypeTag);
  r.add_estimator<SVC>();
  r.add_upgrade(tag, 1, std::string(kSvcUpgrade1Description), upgrade_svc_1_to_2);
  r.add_downgrade(tag, 2, std::string(kSvcDowngrade2Description), downgrade_svc_2_to_1);
  r.add_estimator<SVR>();
})
