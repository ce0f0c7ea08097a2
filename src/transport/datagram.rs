//! Datagram carriers under CoAP (RFC 7252 over UDP, SGP.32 6.2): what the CoAP client and
//! server send their messages through. Plain UDP ([`UdpChannel`], [`UdpEndpoint`]) is here;
//! DTLS and the lossy-link emulator provide the same two traits, so CoAP does not know which
//! carrier it runs over.
//!
//! A channel is one client's association with one server (a connected UDP socket, a DTLS
//! session); an endpoint is a server's socket that hears from many peers, told apart by their
//! address.

use std::net::SocketAddr;

use async_trait::async_trait;
use tokio::net::UdpSocket;

use super::TransportError;

/// Largest datagram the carriers read (the UDP maximum payload).
pub const MAX_DATAGRAM: usize = 65_535;

/// A client's datagram association with one server.
#[async_trait]
pub trait DatagramChannel: Send + Sync {
    /// Sends one datagram to the server.
    async fn send(&self, datagram: &[u8]) -> Result<(), TransportError>;
    /// Waits for the next datagram from the server (callers bound the wait with a timeout).
    async fn recv(&self) -> Result<Vec<u8>, TransportError>;
    /// The server's address.
    fn peer_addr(&self) -> SocketAddr;
}

/// A server's datagram socket, hearing from many peers.
#[async_trait]
pub trait DatagramEndpoint: Send + Sync {
    /// Waits for the next datagram from any peer.
    async fn recv_from(&self) -> Result<(SocketAddr, Vec<u8>), TransportError>;
    /// Sends one datagram to `peer`.
    async fn send_to(&self, peer: SocketAddr, datagram: &[u8]) -> Result<(), TransportError>;
    /// The address listened on.
    fn local_addr(&self) -> SocketAddr;
}

/// A UDP socket on an ephemeral local port (of the server's address family), connected to
/// `server`.
pub(crate) async fn connected_socket(server: SocketAddr) -> Result<UdpSocket, TransportError> {
    let local: SocketAddr = if server.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local)
        .await
        .map_err(|source| TransportError::Bind {
            addr: local,
            source,
        })?;
    socket
        .connect(server)
        .await
        .map_err(|source| TransportError::Connect {
            addr: server.to_string(),
            source,
        })?;
    Ok(socket)
}

/// Plain UDP, client side: a socket connected to the server.
#[derive(Debug)]
pub struct UdpChannel {
    socket: UdpSocket,
    peer: SocketAddr,
}

impl UdpChannel {
    /// Binds an ephemeral local port (of the server's address family) and connects it to
    /// `server`.
    pub async fn connect(server: SocketAddr) -> Result<UdpChannel, TransportError> {
        let socket = connected_socket(server).await?;
        Ok(UdpChannel {
            socket,
            peer: server,
        })
    }
}

#[async_trait]
impl DatagramChannel for UdpChannel {
    async fn send(&self, datagram: &[u8]) -> Result<(), TransportError> {
        self.socket.send(datagram).await?;
        Ok(())
    }

    async fn recv(&self) -> Result<Vec<u8>, TransportError> {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        let n = self.socket.recv(&mut buf).await?;
        buf.truncate(n);
        Ok(buf)
    }

    fn peer_addr(&self) -> SocketAddr {
        self.peer
    }
}

/// Plain UDP, server side.
#[derive(Debug)]
pub struct UdpEndpoint {
    socket: UdpSocket,
    local: SocketAddr,
}

impl UdpEndpoint {
    /// Binds `addr` (port 0 for any free port).
    pub async fn bind(addr: SocketAddr) -> Result<UdpEndpoint, TransportError> {
        let socket = UdpSocket::bind(addr)
            .await
            .map_err(|source| TransportError::Bind { addr, source })?;
        let local = socket.local_addr()?;
        Ok(UdpEndpoint { socket, local })
    }
}

#[async_trait]
impl DatagramEndpoint for UdpEndpoint {
    async fn recv_from(&self) -> Result<(SocketAddr, Vec<u8>), TransportError> {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        let (n, peer) = self.socket.recv_from(&mut buf).await?;
        buf.truncate(n);
        Ok((peer, buf))
    }

    async fn send_to(&self, peer: SocketAddr, datagram: &[u8]) -> Result<(), TransportError> {
        self.socket.send_to(datagram, peer).await?;
        Ok(())
    }

    fn local_addr(&self) -> SocketAddr {
        self.local
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn udp_channel_and_endpoint_exchange_datagrams() {
        let server = UdpEndpoint::bind(([127, 0, 0, 1], 0).into()).await.unwrap();
        let client = UdpChannel::connect(server.local_addr()).await.unwrap();
        client.send(b"ping").await.unwrap();
        let (peer, got) = server.recv_from().await.unwrap();
        assert_eq!(got, b"ping");
        server.send_to(peer, b"pong").await.unwrap();
        assert_eq!(client.recv().await.unwrap(), b"pong");
        assert_eq!(client.peer_addr(), server.local_addr());
    }
}
