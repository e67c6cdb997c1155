//! Routes in CBOR, as minicbor encodes Ockam's `Route` and `Address`: a route is an array of
//! addresses, an address is `[transport type (uint), value (bytes)]`. Used inside secure
//! channel messages and TCP frames.

use super::limits::{MAX_ADDRESS_LEN, MAX_ROUTE_LEN};
use super::{Address, Route, TransportType};
use crate::codec::DecodeError;
use crate::codec::cbor::{self, CborReader};

/// Appends `route` in Ockam's CBOR form.
pub fn write_route(out: &mut Vec<u8>, route: &Route) {
    cbor::write_array(out, route.len());
    for address in route.iter() {
        cbor::write_array(out, 2);
        cbor::write_u64(out, address.transport().value().into());
        cbor::write_bytes(out, address.value());
    }
}

/// Reads a route in Ockam's CBOR form, within the routing limits.
pub fn read_route(r: &mut CborReader<'_>) -> Result<Route, DecodeError> {
    let count = r.array("route", MAX_ROUTE_LEN)?;
    let mut route = Route::new();
    for _ in 0..count {
        if r.array("address", 2)? != 2 {
            return Err(DecodeError::Malformed("address"));
        }
        let transport = TransportType::new(r.u8("transport type")?);
        let value = r.bytes("address", MAX_ADDRESS_LEN)?;
        route.push_back(Address::new(transport, value));
    }
    Ok(route)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::unhex;

    #[test]
    fn matches_ockam_minicbor_bytes() {
        // Produced by ockam_core 0.125's Route/Address (docs/ockam/secure-channel.md §1.2).
        let cases = [
            ("0#echoer", "81 82 00 46 6563686f6572"),
            (
                "1#127.0.0.1:4000",
                "81 82 01 4e 3132372e302e302e313a34303030",
            ),
            ("", "80"),
            ("a => bc", "82 82 00 41 61 82 00 42 6263"),
        ];
        for (route, hex) in cases {
            let route: Route = route.parse().unwrap();
            let mut out = Vec::new();
            write_route(&mut out, &route);
            assert_eq!(out, unhex(hex), "{route}");
            let mut reader = CborReader::new(&out);
            assert_eq!(read_route(&mut reader).unwrap(), route);
            reader.finish().unwrap();
        }
    }
}
