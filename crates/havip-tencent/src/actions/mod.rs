//! The six HaVip actions of Tencent Cloud VPC 2017-03-12, each in its own module: a typed
//! call parsed by `params.rs`, the service calls, and the typed answer of `render.rs`.

mod address;
mod create;
mod delete;
mod describe;
mod modify;

use havip_core::{DomainError, HaVip, MemberKind};
use havip_service::{Caller, Service, ServiceError};

use crate::errors::FaceError;
use crate::params::{self, AssociateAddressCall, CreateCall, DescribeCall, ModifyCall, Object};
use crate::render::{self, Answer, HaVipView, Holder};

/// The API version this face speaks.
pub const VERSION: &str = "2017-03-12";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    CreateHaVip,
    DescribeHaVips,
    ModifyHaVipAttribute,
    DeleteHaVip,
    HaVipAssociateAddressIp,
    HaVipDisassociateAddressIp,
}

impl Operation {
    pub const ALL: [Operation; 6] = [
        Operation::CreateHaVip,
        Operation::DescribeHaVips,
        Operation::ModifyHaVipAttribute,
        Operation::DeleteHaVip,
        Operation::HaVipAssociateAddressIp,
        Operation::HaVipDisassociateAddressIp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::CreateHaVip => "CreateHaVip",
            Operation::DescribeHaVips => "DescribeHaVips",
            Operation::ModifyHaVipAttribute => "ModifyHaVipAttribute",
            Operation::DeleteHaVip => "DeleteHaVip",
            Operation::HaVipAssociateAddressIp => "HaVipAssociateAddressIp",
            Operation::HaVipDisassociateAddressIp => "HaVipDisassociateAddressIp",
        }
    }

    /// The action named by `X-TC-Action`, exactly (the SDK capitalises the first letter).
    pub fn parse(action: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.as_str() == action)
    }
}

/// One parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Create(CreateCall),
    Describe(DescribeCall),
    Modify(ModifyCall),
    Delete(String),
    AssociateAddress(AssociateAddressCall),
    DisassociateAddress(String),
}

/// The parameters of `op`, typed.
pub fn parse(op: Operation, params: Object) -> Result<Call, FaceError> {
    Ok(match op {
        Operation::CreateHaVip => Call::Create(params::create(params)?),
        Operation::DescribeHaVips => Call::Describe(params::describe(params)?),
        Operation::ModifyHaVipAttribute => Call::Modify(params::modify(params)?),
        Operation::DeleteHaVip => Call::Delete(params::havip_id(params)?),
        Operation::HaVipAssociateAddressIp => {
            Call::AssociateAddress(params::associate_address(params)?)
        }
        Operation::HaVipDisassociateAddressIp => {
            Call::DisassociateAddress(params::havip_id(params)?)
        }
    })
}

pub async fn run(call: Call, service: &Service, caller: &Caller) -> Result<Answer, FaceError> {
    match call {
        Call::Create(c) => create::run(service, caller, &c).await,
        Call::Describe(c) => describe::run(service, caller, &c).await,
        Call::Modify(c) => modify::run(service, caller, &c).await,
        Call::Delete(id) => delete::run(service, caller, &id).await,
        Call::AssociateAddress(c) => address::associate(service, caller, &c).await,
        Call::DisassociateAddress(id) => address::disassociate(service, caller, &id).await,
    }
}

/// Where a HaVip's VIP is: the master's instance and network interface. A master that is
/// an instance shows its primary network interface.
async fn holder(service: &Service, h: &HaVip) -> Result<Holder, FaceError> {
    let Some(m) = render::master(h) else {
        return Ok(Holder::default());
    };
    Ok(match m.kind {
        MemberKind::NetworkInterface => Holder {
            instance_id: m.instance.clone(),
            network_interface_id: m.id.clone(),
        },
        MemberKind::EcsInstance => {
            let eni = match service.instance(&m.id).await {
                Ok(instance) => instance.primary_eni,
                Err(ServiceError::Domain(_)) => String::new(),
                Err(e) => return Err(e.into()),
            };
            Holder {
                instance_id: m.id.clone(),
                network_interface_id: eni,
            }
        }
    })
}

/// A HaVip as this face shows it.
async fn view(service: &Service, caller: &Caller, h: &HaVip) -> Result<HaVipView, FaceError> {
    let holder = holder(service, h).await?;
    Ok(render::havip(&caller.profile, h, &holder))
}

/// A name the profile refuses for its length alone is `InvalidParameterValue.TooLong`
/// (ModifyHaVipAttribute documents it); other refusals keep the table's code.
fn name_error(e: FaceError, caller: &Caller, name: &str) -> FaceError {
    let max = caller.profile.name.max_chars;
    match e {
        FaceError::Domain(DomainError::NameMalformed) if name.chars().count() > max => {
            FaceError::NameTooLong { max }
        }
        other => other,
    }
}
