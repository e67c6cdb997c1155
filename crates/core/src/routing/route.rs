//! [`Route`]: an ordered list of addresses a message follows, parsed from and printed as
//! `hop => tcp#host:port => worker`.

use core::fmt;
use core::str::FromStr;
use std::collections::VecDeque;

use super::limits::MAX_ROUTE_LEN;
use super::{Address, AddressParseError};

/// An ordered list of [`Address`]es: the path a message takes, front first.
///
/// The string form joins addresses with `=>`, as Ockam prints routes:
/// `"mem#bob => hop => echo"` or `"1#127.0.0.1:4000 => 0#echo"`.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Route {
    hops: VecDeque<Address>,
}

/// Builds a [`Route`] from items that convert into [`Address`]:
/// `route!["hop", Address::new(TransportType::TCP, "127.0.0.1:4000"), "echo"]`.
/// String items are local addresses taken verbatim; parse `type#value` strings with
/// [`str::parse`] first.
#[macro_export]
macro_rules! route {
    ($($hop:expr),* $(,)?) => {
        $crate::routing::Route::from_hops([$($crate::routing::Address::from($hop)),*])
    };
}

impl Route {
    /// The empty route.
    pub fn new() -> Self {
        Self::default()
    }

    /// A route through `hops`, in order.
    pub fn from_hops(hops: impl IntoIterator<Item = Address>) -> Self {
        Self {
            hops: hops.into_iter().collect(),
        }
    }

    /// The next hop, if any.
    pub fn next(&self) -> Option<&Address> {
        self.hops.front()
    }

    /// The final destination, if any.
    pub fn recipient(&self) -> Option<&Address> {
        self.hops.back()
    }

    /// Removes and returns the next hop.
    pub fn step(&mut self) -> Option<Address> {
        self.hops.pop_front()
    }

    /// Puts `address` in front.
    pub fn push_front(&mut self, address: Address) {
        self.hops.push_front(address);
    }

    /// Appends `address` at the end.
    pub fn push_back(&mut self, address: Address) {
        self.hops.push_back(address);
    }

    /// Removes and returns the last hop.
    pub fn pop_back(&mut self) -> Option<Address> {
        self.hops.pop_back()
    }

    /// Puts all of `other` in front of this route, keeping its order.
    pub fn prepend(&mut self, other: &Route) {
        for address in other.hops.iter().rev() {
            self.hops.push_front(address.clone());
        }
    }

    /// Appends all of `other`.
    pub fn append(&mut self, other: &Route) {
        self.hops.extend(other.hops.iter().cloned());
    }

    /// Number of hops.
    pub fn len(&self) -> usize {
        self.hops.len()
    }

    /// Whether there are no hops.
    pub fn is_empty(&self) -> bool {
        self.hops.is_empty()
    }

    /// The hops, front first.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Address> + DoubleEndedIterator {
        self.hops.iter()
    }
}

impl FromStr for Route {
    type Err = AddressParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().is_empty() {
            return Ok(Self::new());
        }
        let mut hops = VecDeque::new();
        for part in s.split("=>") {
            if hops.len() == MAX_ROUTE_LEN {
                return Err(AddressParseError::RouteTooLong { max: MAX_ROUTE_LEN });
            }
            if part.trim().is_empty() {
                return Err(AddressParseError::Empty(s.to_owned()));
            }
            hops.push_back(part.parse()?);
        }
        Ok(Self { hops })
    }
}

impl From<Address> for Route {
    fn from(address: Address) -> Self {
        Self::from_hops([address])
    }
}

impl From<&Address> for Route {
    fn from(address: &Address) -> Self {
        Self::from_hops([address.clone()])
    }
}

impl From<&str> for Route {
    /// A one-hop route to the local worker named `name`.
    fn from(name: &str) -> Self {
        Self::from_hops([Address::from(name)])
    }
}

impl From<Vec<Address>> for Route {
    fn from(hops: Vec<Address>) -> Self {
        Self::from_hops(hops)
    }
}

impl IntoIterator for Route {
    type Item = Address;
    type IntoIter = std::collections::vec_deque::IntoIter<Address>;
    fn into_iter(self) -> Self::IntoIter {
        self.hops.into_iter()
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, address) in self.hops.iter().enumerate() {
            if index > 0 {
                f.write_str(" => ")?;
            }
            write!(f, "{address}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{self}]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::TransportType;

    #[test]
    fn macro_and_string_forms_agree() {
        let built = crate::route!["hop", Address::new(TransportType::MEMORY, "bob"), "echo"];
        let parsed: Route = "hop => mem#bob => 0#echo".parse().unwrap();
        assert_eq!(built, parsed);
        assert_eq!(parsed.to_string(), "0#hop => 254#bob => 0#echo");
        assert_eq!(parsed.to_string().parse::<Route>().unwrap(), parsed);
    }

    #[test]
    fn step_and_push_follow_routing_semantics() {
        let mut onward: Route = "a => b".parse().unwrap();
        let mut back = Route::new();
        let me = onward.step().unwrap();
        back.push_front(me);
        assert_eq!(onward.next(), Some(&Address::local("b")));
        assert_eq!(back.recipient(), Some(&Address::local("a")));
    }

    #[test]
    fn rejects_empty_hops_and_overlong_routes() {
        assert!(matches!(
            "a => => b".parse::<Route>(),
            Err(AddressParseError::Empty(_))
        ));
        assert!("".parse::<Route>().unwrap().is_empty());
        let long = vec!["x"; MAX_ROUTE_LEN + 1].join(" => ");
        assert_eq!(
            long.parse::<Route>(),
            Err(AddressParseError::RouteTooLong { max: MAX_ROUTE_LEN })
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_string_parses_or_errors_without_panicking(text in "\\PC{0,200}") {
            let _ = text.parse::<Route>();
            let _ = text.parse::<Address>();
        }

        #[test]
        fn printed_routes_parse_back(
            hops in proptest::collection::vec((any::<u8>(), "[A-Za-z0-9_.:/-]{1,30}"), 0..8)
        ) {
            let route = Route::from_hops(
                hops.iter().map(|(t, v)| Address::new(crate::routing::TransportType::new(*t), v.as_bytes())),
            );
            prop_assert_eq!(route.to_string().parse::<Route>()?, route);
        }
    }
}
