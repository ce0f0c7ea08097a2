//! eIM Configuration Operations (SGP.32 2.11.1.2, eCOs): ordering addEim, deleteEim,
//! updateEim and listEim at the SUT, and the eIMs the eUICC ends up associated with.
//!
//! "its own eIM" / "the SUT's eIM" is the SUT's eimId (from its configuration); other eIMs
//! are named by their eimId. An eIM added by a step gets the SUT's signing certificate as its
//! key (the eUICC only needs a usable key) and asks the eUICC for an association token (-1).

use cucumber::step::Collection;

use super::{Args, re};
use crate::asn1::sgp32::{Eco, EcoDeleteEim, EcoListEim, EimConfigurationData};
use crate::conformance::world::{EimWorld, StepError, StepResult, check};
use crate::step;
use crate::sut::Order;

pub fn register(c: Collection<EimWorld>) -> Collection<EimWorld> {
    c.given(
        None,
        re(r#"^(?:the device|device (\d+)) also has the eIM "([^"]+)"$"#),
        step!(also_has),
    )
    .when(
        None,
        re(r#"^the SUT is ordered to add (its own eIM again|the eIM "([^"]+)")$"#),
        step!(order_add),
    )
    .when(
        None,
        re(r#"^the SUT is ordered to update (?:its own eIM|the eIM "([^"]+)") to (FQDN|counter) "([^"]+)"$"#),
        step!(order_update),
    )
    .when(
        None,
        re(r#"^the SUT is ordered to delete the eIM "([^"]+)"$"#),
        step!(order_delete),
    )
    .when(
        None,
        re(r"^the SUT is ordered to list the eIMs$"),
        step!(order_list),
    )
    .then(
        None,
        re(r#"^(?:the SUT's eIM|the eIM "([^"]+)") is (associated|not associated) on the device$"#),
        step!(associated),
    )
    .then(
        None,
        re(r#"^(?:the SUT's eIM|the eIM "([^"]+)") has FQDN "([^"]+)" on the device$"#),
        step!(has_fqdn),
    )
}

impl EimWorld {
    /// An eIM's configuration for an eCO: the SUT's own (counter 0, token -1) under `eim_id`
    /// (the SUT's eimId when `None`), its FQDN `eim_id` for another eIM.
    pub fn eim_configuration(
        &self,
        eim_id: Option<&str>,
    ) -> Result<EimConfigurationData, StepError> {
        let ctx = self.ctx()?;
        let mut config = ctx.eim.eim_configuration_data(Some(0), Some(-1));
        if let Some(id) = eim_id {
            config.eim_id = id.to_string();
            config.eim_fqdn = Some(id.to_string());
        }
        Ok(config)
    }

    /// The eimId a step means: the quoted one, else the SUT's.
    fn eim_id(&self, quoted: Option<&str>) -> Result<String, StepError> {
        match quoted {
            Some(id) => Ok(id.to_string()),
            None => Ok(self.ctx()?.eim.eim_id.clone()),
        }
    }

    /// Orders one eCO for the last device.
    async fn order_eco(&mut self, eco: Eco) -> StepResult {
        let device = self.last_position()?;
        self.place_order(device, Order::Ecos(vec![eco]))
            .await
            .map(|_| ())
    }
}

async fn also_has(w: &mut EimWorld, a: Args) -> StepResult {
    let config = w.eim_configuration(Some(a.str(2)?))?;
    w.rebuild_euicc(a.parse_opt(1)?, |b| b.eim(config))
}

async fn order_add(w: &mut EimWorld, a: Args) -> StepResult {
    let config = w.eim_configuration(a.opt(2))?;
    w.order_eco(Eco::AddEim(Box::new(config))).await
}

async fn order_update(w: &mut EimWorld, a: Args) -> StepResult {
    let eim_id = w.eim_id(a.opt(1))?;
    let value = a.str(3)?;
    let config = match a.str(2)? {
        "FQDN" => EimConfigurationData {
            eim_id,
            eim_fqdn: Some(value.to_string()),
            ..Default::default()
        },
        _ => EimConfigurationData {
            eim_id,
            counter_value: Some(a.parse(3)?),
            ..Default::default()
        },
    };
    w.order_eco(Eco::UpdateEim(Box::new(config))).await
}

async fn order_delete(w: &mut EimWorld, a: Args) -> StepResult {
    w.order_eco(Eco::DeleteEim(EcoDeleteEim {
        eim_id: a.str(1)?.to_string(),
        extensions: Default::default(),
    }))
    .await
}

async fn order_list(w: &mut EimWorld, _: Args) -> StepResult {
    w.order_eco(Eco::ListEim(EcoListEim::default())).await
}

async fn associated(w: &mut EimWorld, a: Args) -> StepResult {
    let eim_id = w.eim_id(a.opt(1))?;
    let want = a.str(2)? == "associated";
    let ids: Vec<String> = w
        .device(None)?
        .driver
        .card()
        .eims()
        .iter()
        .map(|e| e.config.eim_id.clone())
        .collect();
    check(
        ids.contains(&eim_id) == want,
        "SGP.32 2.11.1.2: the eUICC's associated eIMs are what the ordered eCOs lead to",
        format!("eIM {eim_id:?} {}", a.str(2)?),
        ids,
    )
}

async fn has_fqdn(w: &mut EimWorld, a: Args) -> StepResult {
    let eim_id = w.eim_id(a.opt(1))?;
    let want = a.str(2)?.to_string();
    let seen: Option<Option<String>> = w
        .device(None)?
        .driver
        .card()
        .eims()
        .iter()
        .find(|e| e.config.eim_id == eim_id)
        .map(|e| e.config.eim_fqdn.clone());
    check(
        seen == Some(Some(want.clone())),
        "SGP.32 2.11.1.2: updateEim replaces the eIM configuration data it carries",
        format!("eIM {eim_id:?} with eimFqdn {want:?}"),
        seen,
    )
}
