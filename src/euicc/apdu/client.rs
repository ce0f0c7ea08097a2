//! The IPA side: [`store_data_apdus`] splits an ES10 request into STORE DATA blocks and
//! [`ApduClient`] drives any APDU transport through MANAGE CHANNEL, SELECT, STORE DATA and
//! GET RESPONSE.

use super::{
    ApduError, ClassKind, CommandApdu, ISDR_AID, MAX_BLOCK_SIZE, MAX_LOGICAL_CHANNELS,
    ResponseApdu, cla_for_channel, ins, store_data_p1, sw,
};

/// Most response bytes [`ApduClient`] collects for one command before giving up on a card that
/// keeps answering `61xx`.
pub const MAX_RESPONSE_LEN: usize = 1 << 20;

/// Errors of [`ApduClient`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApduClientError {
    /// The card answered a status word the step does not allow.
    #[error("{command}: unexpected status word {sw:04X}")]
    UnexpectedStatus {
        /// The command, e.g. `"STORE DATA block 2"`.
        command: String,
        /// SW1 SW2.
        sw: u16,
    },
    /// The transport returned fewer than 2 bytes.
    #[error("{command}: response of {len} bytes has no status word")]
    MalformedResponse {
        /// The command.
        command: String,
        /// Bytes received.
        len: usize,
    },
    /// GET RESPONSE answered `61xx` (more to come) with no data: the card makes no progress.
    #[error("{command}: 61xx with no data, the card makes no progress")]
    NoProgress {
        /// The command.
        command: String,
    },
    /// MANAGE CHANNEL open returned something else than one valid channel number.
    #[error("MANAGE CHANNEL returned {0:02X?} instead of a channel number 1..=19")]
    BadChannelNumber(Vec<u8>),
    /// Channels are 0..=19.
    #[error("logical channel {0} is outside 0..=19")]
    InvalidChannel(u8),
    /// STORE DATA carries at least one data byte.
    #[error("empty ES10 request")]
    EmptyRequest,
    /// `P2` numbers at most 256 blocks.
    #[error("ES10 request of {len} bytes needs more than 256 blocks of {block_size} bytes")]
    RequestTooLong {
        /// Request length.
        len: usize,
        /// Block size in use.
        block_size: usize,
    },
    /// The command could not be encoded as a short APDU (e.g. more than 255 data bytes).
    #[error("command not encodable: {0}")]
    Apdu(#[from] ApduError),
    /// The card kept answering `61xx` past [`MAX_RESPONSE_LEN`].
    #[error("response longer than {MAX_RESPONSE_LEN} bytes")]
    ResponseTooLong,
}

/// STORE DATA command APDUs carrying `request` on `channel` (SGP.22 5.7.2, GlobalPlatform CS
/// 2.3 11.11): CLA `'80'|ch` (`'C0'|(ch-4)` for channels 4-19), INS `'E2'`, P1 `'11'` for all
/// blocks but the last and `'91'` for the last, P2 = block number from 0, at most `block_size`
/// (clamped to 1..=255) data bytes each, no `Le` (case 3, as onomondo-ipa sends them).
///
/// Empty for a channel above 19. An empty request gives one block without data, which the card
/// refuses (`6700`). A request needing more than 256 blocks gets block numbers wrapping after
/// `FF`, which the card refuses (`6A86`); [`ApduClient::es10`] checks this before sending.
pub fn store_data_apdus(channel: u8, request: &[u8], block_size: usize) -> Vec<Vec<u8>> {
    let Some(cla) = cla_for_channel(ClassKind::Proprietary, channel) else {
        return Vec::new();
    };
    let block_size = block_size.clamp(1, MAX_BLOCK_SIZE);
    if request.is_empty() {
        return vec![vec![cla, ins::STORE_DATA, store_data_p1::LAST_BLOCK, 0x00]];
    }
    let count = request.len().div_ceil(block_size);
    request
        .chunks(block_size)
        .enumerate()
        .map(|(i, block)| {
            let p1 = if i + 1 == count {
                store_data_p1::LAST_BLOCK
            } else {
                store_data_p1::MORE_BLOCKS
            };
            let mut apdu = Vec::with_capacity(5 + block.len());
            apdu.extend_from_slice(&[cla, ins::STORE_DATA, p1, (i % 256) as u8]);
            apdu.push(block.len() as u8);
            apdu.extend_from_slice(block);
            apdu
        })
        .collect()
}

/// The IPA's APDU layer towards the ISD-R over any transport `FnMut(command) -> response`
/// (e.g. `|apdu| front_end.transmit(apdu)`, or a PC/SC card). Every step checks the status
/// words it gets and fetches `61xx` data with GET RESPONSE; `9000` and `91xx` (SIM toolkit
/// command pending, not fetched here) end a command successfully.
///
/// The onomondo-ipa start-up sequence (`sgp32-notes.md` section 2 intro) is
/// [`terminal_capability`](Self::terminal_capability) `A903830107`,
/// [`open_channel`](Self::open_channel), [`select_isdr`](Self::select_isdr), then
/// [`es10`](Self::es10) per function.
pub struct ApduClient<T: FnMut(&[u8]) -> Vec<u8>> {
    transport: T,
    channel: u8,
    block_size: usize,
}

impl<T: FnMut(&[u8]) -> Vec<u8>> std::fmt::Debug for ApduClient<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApduClient")
            .field("channel", &self.channel)
            .field("block_size", &self.block_size)
            .finish_non_exhaustive()
    }
}

impl<T: FnMut(&[u8]) -> Vec<u8>> ApduClient<T> {
    /// A client on the basic channel with 255-byte STORE DATA blocks.
    pub fn new(transport: T) -> Self {
        Self {
            transport,
            channel: 0,
            block_size: MAX_BLOCK_SIZE,
        }
    }

    /// Sets the STORE DATA block size (clamped to 1..=255).
    pub fn with_block_size(mut self, block_size: usize) -> Self {
        self.block_size = block_size.clamp(1, MAX_BLOCK_SIZE);
        self
    }

    /// The logical channel commands are sent on.
    pub fn channel(&self) -> u8 {
        self.channel
    }

    /// Sends the following commands on `channel` (0..=19), e.g. one opened elsewhere.
    pub fn set_channel(&mut self, channel: u8) -> Result<(), ApduClientError> {
        if channel >= MAX_LOGICAL_CHANNELS {
            return Err(ApduClientError::InvalidChannel(channel));
        }
        self.channel = channel;
        Ok(())
    }

    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// Sends one command APDU and splits the answer.
    pub fn transmit(
        &mut self,
        command: &str,
        apdu: &[u8],
    ) -> Result<ResponseApdu, ApduClientError> {
        let raw = (self.transport)(apdu);
        ResponseApdu::parse(&raw).map_err(|_| ApduClientError::MalformedResponse {
            command: command.to_owned(),
            len: raw.len(),
        })
    }

    /// TERMINAL CAPABILITY `80 AA 00 00` with `data` (ETSI TS 102 221 11.1.19), on the basic
    /// channel.
    pub fn terminal_capability(&mut self, data: &[u8]) -> Result<(), ApduClientError> {
        let apdu = CommandApdu {
            cla: 0x80,
            ins: ins::TERMINAL_CAPABILITY,
            p1: 0,
            p2: 0,
            data,
            le: None,
        };
        let data = self.command("TERMINAL CAPABILITY", &apdu)?;
        if !data.is_empty() {
            tracing::debug!(
                len = data.len(),
                "TERMINAL CAPABILITY: response data ignored"
            );
        }
        Ok(())
    }

    /// MANAGE CHANNEL open with a card-assigned number (`00 70 00 00 01`, ISO/IEC 7816-4
    /// 11.1.2) from the basic channel; the client moves to the new channel and returns it.
    pub fn open_channel(&mut self) -> Result<u8, ApduClientError> {
        let apdu = CommandApdu {
            cla: 0x00,
            ins: ins::MANAGE_CHANNEL,
            p1: 0x00,
            p2: 0x00,
            data: &[],
            le: Some(1),
        };
        let data = self.command("MANAGE CHANNEL open", &apdu)?;
        match data.as_slice() {
            [ch] if (1..MAX_LOGICAL_CHANNELS).contains(ch) => {
                self.channel = *ch;
                Ok(*ch)
            }
            _ => Err(ApduClientError::BadChannelNumber(data)),
        }
    }

    /// MANAGE CHANNEL close of the client's channel (`00 70 80 ch 00` from the basic channel);
    /// the client moves back to the basic channel. Nothing to do on the basic channel.
    pub fn close_channel(&mut self) -> Result<(), ApduClientError> {
        if self.channel == 0 {
            return Ok(());
        }
        let apdu = [0x00, ins::MANAGE_CHANNEL, 0x80, self.channel, 0x00];
        let response = self.transmit("MANAGE CHANNEL close", &apdu)?;
        if response.sw != sw::OK {
            return Err(ApduClientError::UnexpectedStatus {
                command: "MANAGE CHANNEL close".to_owned(),
                sw: response.sw,
            });
        }
        self.channel = 0;
        Ok(())
    }

    /// SELECT of the ISD-R by AID on the client's channel (`0X A4 04 00 10 AID 00`); returns the
    /// FCI (fetched through GET RESPONSE if the card answers `61xx`).
    pub fn select_isdr(&mut self) -> Result<Vec<u8>, ApduClientError> {
        let apdu = CommandApdu {
            cla: self.cla(ClassKind::Interindustry)?,
            ins: ins::SELECT,
            p1: 0x04,
            p2: 0x00,
            data: &ISDR_AID,
            le: Some(256),
        };
        self.command("SELECT ISD-R", &apdu)
    }

    /// One ES10 function: `request` in STORE DATA blocks on the client's channel, the whole
    /// response back (SGP.22 5.7.2). Every block but the last must be answered `9000`.
    pub fn es10(&mut self, request: &[u8]) -> Result<Vec<u8>, ApduClientError> {
        if request.is_empty() {
            return Err(ApduClientError::EmptyRequest);
        }
        if request.len().div_ceil(self.block_size) > 256 {
            return Err(ApduClientError::RequestTooLong {
                len: request.len(),
                block_size: self.block_size,
            });
        }
        let blocks = store_data_apdus(self.channel, request, self.block_size);
        let count = blocks.len();
        for (i, block) in blocks.iter().enumerate() {
            let command = format!("STORE DATA block {i}");
            let response = self.transmit(&command, block)?;
            if i + 1 < count {
                if response.sw != sw::OK {
                    return Err(ApduClientError::UnexpectedStatus {
                        command,
                        sw: response.sw,
                    });
                }
            } else {
                return self.collect(&command, response);
            }
        }
        // store_data_apdus gives at least one block for a non-empty request on a valid channel.
        Err(ApduClientError::InvalidChannel(self.channel))
    }

    fn cla(&self, kind: ClassKind) -> Result<u8, ApduClientError> {
        cla_for_channel(kind, self.channel).ok_or(ApduClientError::InvalidChannel(self.channel))
    }

    /// Sends `apdu` and returns its complete response data.
    fn command(
        &mut self,
        command: &str,
        apdu: &CommandApdu<'_>,
    ) -> Result<Vec<u8>, ApduClientError> {
        let bytes = apdu.to_bytes()?;
        let response = self.transmit(command, &bytes)?;
        self.collect(command, response)
    }

    /// The data of `first` plus everything `61xx` announces, fetched with GET RESPONSE on the
    /// client's channel.
    fn collect(&mut self, command: &str, first: ResponseApdu) -> Result<Vec<u8>, ApduClientError> {
        let mut data = first.data;
        let mut status = first.sw;
        let cla = self.cla(ClassKind::Interindustry)?;
        loop {
            match status.to_be_bytes() {
                [0x90, 0x00] | [0x91, _] => return Ok(data),
                [0x61, xx] => {
                    if data.len() > MAX_RESPONSE_LEN {
                        return Err(ApduClientError::ResponseTooLong);
                    }
                    let get_response = [cla, ins::GET_RESPONSE, 0x00, 0x00, xx];
                    let label = format!("{command}: GET RESPONSE");
                    let response = self.transmit(&label, &get_response)?;
                    if !matches!(response.sw.to_be_bytes(), [0x90, 0x00] | [0x91 | 0x61, _]) {
                        return Err(ApduClientError::UnexpectedStatus {
                            command: label,
                            sw: response.sw,
                        });
                    }
                    // A card announcing more (61xx) but giving nothing would keep us asking
                    // forever.
                    if response.data.is_empty() && response.sw >> 8 == 0x61 {
                        return Err(ApduClientError::NoProgress { command: label });
                    }
                    data.extend_from_slice(&response.data);
                    status = response.sw;
                }
                _ => {
                    return Err(ApduClientError::UnexpectedStatus {
                        command: command.to_owned(),
                        sw: status,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_data_blocks_of_a_700_byte_request() {
        let request: Vec<u8> = (0..700u32).map(|i| i as u8).collect();
        let blocks = store_data_apdus(1, &request, 255);
        assert_eq!(blocks.len(), 3);
        assert_eq!(&blocks[0][..5], &[0x81, 0xE2, 0x11, 0x00, 0xFF]);
        assert_eq!(&blocks[1][..5], &[0x81, 0xE2, 0x11, 0x01, 0xFF]);
        assert_eq!(&blocks[2][..5], &[0x81, 0xE2, 0x91, 0x02, 190]);
        assert_eq!(blocks[2].len(), 5 + 190);
        let joined: Vec<u8> = blocks.iter().flat_map(|b| b[5..].to_vec()).collect();
        assert_eq!(joined, request);
    }

    #[test]
    fn store_data_edge_cases() {
        assert_eq!(
            store_data_apdus(0, &hex::decode("BF3E035C015A").unwrap(), 255),
            vec![hex::decode("80E2910006BF3E035C015A").unwrap()]
        );
        assert_eq!(
            store_data_apdus(5, &[0xAA], 0),
            vec![vec![0xC1, 0xE2, 0x91, 0x00, 0x01, 0xAA]]
        );
        assert_eq!(store_data_apdus(20, &[0xAA], 255), Vec::<Vec<u8>>::new());
        assert_eq!(
            store_data_apdus(0, &[], 255),
            vec![vec![0x80, 0xE2, 0x91, 0x00]]
        );
        // 1000-byte blocks are clamped to 255.
        assert_eq!(store_data_apdus(0, &[0u8; 300], 1000).len(), 2);
        // 257 one-byte blocks: the block number wraps.
        let blocks = store_data_apdus(0, &[0u8; 257], 1);
        assert_eq!((blocks[255][3], blocks[256][3]), (0xFF, 0x00));
    }

    #[test]
    fn client_reports_unexpected_status_words() {
        let mut client = ApduClient::new(|_: &[u8]| vec![0x6A, 0x82]);
        assert_eq!(
            client.select_isdr(),
            Err(ApduClientError::UnexpectedStatus {
                command: "SELECT ISD-R".into(),
                sw: 0x6A82
            })
        );
        let mut client = ApduClient::new(|_: &[u8]| vec![0x90]);
        assert_eq!(
            client.es10(&[0xBF, 0x3E, 0x00]),
            Err(ApduClientError::MalformedResponse {
                command: "STORE DATA block 0".into(),
                len: 1
            })
        );
        let mut client = ApduClient::new(|_: &[u8]| vec![0x01, 0x02, 0x90, 0x00]);
        assert_eq!(
            client.open_channel(),
            Err(ApduClientError::BadChannelNumber(vec![1, 2]))
        );
        let mut client = ApduClient::new(|_: &[u8]| vec![0x90, 0x00]).with_block_size(1);
        assert_eq!(client.es10(&[]), Err(ApduClientError::EmptyRequest));
        assert_eq!(
            client.es10(&[0u8; 257]),
            Err(ApduClientError::RequestTooLong {
                len: 257,
                block_size: 1
            })
        );
        assert_eq!(
            client.set_channel(20),
            Err(ApduClientError::InvalidChannel(20))
        );
        // A card that never stops announcing data.
        let mut client = ApduClient::new(|apdu: &[u8]| {
            if apdu[1] == ins::GET_RESPONSE {
                let mut r = vec![0u8; 256];
                r.extend_from_slice(&[0x61, 0x00]);
                r
            } else {
                vec![0x61, 0x00]
            }
        });
        assert_eq!(client.es10(&[1]), Err(ApduClientError::ResponseTooLong));
    }

    #[test]
    fn client_stops_on_an_intermediate_block_error_and_on_get_response_errors() {
        let mut sent = Vec::new();
        let mut client = ApduClient::new(|apdu: &[u8]| {
            sent.push(apdu.to_vec());
            if apdu[3] == 1 {
                vec![0x6A, 0x86]
            } else {
                vec![0x90, 0x00]
            }
        });
        assert_eq!(
            client.es10(&[0u8; 600]),
            Err(ApduClientError::UnexpectedStatus {
                command: "STORE DATA block 1".into(),
                sw: 0x6A86
            })
        );
        assert_eq!(sent.len(), 2);
        let mut client = ApduClient::new(|apdu: &[u8]| {
            if apdu[1] == ins::GET_RESPONSE {
                vec![0x69, 0x85]
            } else {
                vec![0x61, 0x05]
            }
        });
        assert_eq!(
            client.es10(&[1]),
            Err(ApduClientError::UnexpectedStatus {
                command: "STORE DATA block 0: GET RESPONSE".into(),
                sw: 0x6985
            })
        );
    }
}
