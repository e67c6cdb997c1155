//! The bookkeeping every dialling transport needs: open connections by the peer they were
//! dialled to (for reuse), all open connections (for counting and shutdown), and the retry
//! policy for new ones.

use core::cell::{Cell, RefCell};
use core::future::Future;
use std::collections::HashMap;
use std::rc::Rc;

use super::{RetryPolicy, connect_with_retry};
use crate::{Address, Node, Result};

/// A transport's open connections. Cheap to clone.
#[derive(Clone, Default)]
pub struct ConnectionTable {
    inner: Rc<Inner>,
}

#[derive(Default)]
struct Inner {
    dialled: RefCell<HashMap<String, Address>>,
    all: RefCell<Vec<Address>>,
    retry: Cell<Option<RetryPolicy>>,
}

impl ConnectionTable {
    /// The sending worker of an open connection dialled to `peer`.
    pub fn dialled(&self, peer: &str) -> Option<Address> {
        self.inner.dialled.borrow().get(peer).cloned()
    }

    /// Retries failed connection attempts per `policy` (`None`: one attempt).
    pub fn set_retry(&self, policy: Option<RetryPolicy>) {
        self.inner.retry.set(policy);
    }

    /// The connection dialled to `peer`, or a new one made by `connect` (retried per the
    /// policy).
    pub async fn get_or_connect<F, Fut>(
        &self,
        node: &Node,
        peer: &str,
        connect: F,
    ) -> Result<Address>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Address>>,
    {
        match self.dialled(peer) {
            Some(existing) => Ok(existing),
            None => connect_with_retry(node, self.inner.retry.get(), connect).await,
        }
    }

    /// Records a new connection (dialled to `peer`, or accepted when `None`) and returns the
    /// callback that forgets it when it closes.
    pub fn track(&self, peer: Option<String>, address: Address) -> impl FnOnce() + 'static {
        if let Some(peer) = &peer {
            self.inner
                .dialled
                .borrow_mut()
                .insert(peer.clone(), address.clone());
        }
        self.inner.all.borrow_mut().push(address.clone());
        let inner = Rc::downgrade(&self.inner);
        move || {
            if let Some(inner) = inner.upgrade() {
                if let Some(peer) = peer {
                    let mut dialled = inner.dialled.borrow_mut();
                    if dialled.get(&peer) == Some(&address) {
                        dialled.remove(&peer);
                    }
                }
                inner.all.borrow_mut().retain(|a| a != &address);
            }
        }
    }

    /// Number of open connections.
    pub fn count(&self) -> usize {
        self.inner.all.borrow().len()
    }

    /// Closes every connection.
    pub fn close_all(&self, node: &Node) {
        let all: Vec<Address> = self.inner.all.borrow_mut().drain(..).collect();
        self.inner.dialled.borrow_mut().clear();
        for address in all {
            let _ = node.stop_worker(&address);
        }
    }
}
