//! The card side: [`IsdrApduFrontEnd`] turns command APDUs into ES10 requests for an
//! [`Es10Handler`] and its responses back into response APDUs.

use super::{
    ClassKind, CommandApdu, Es10Handler, ISDR_AID, MAX_BLOCK_SIZE, MAX_LOGICAL_CHANNELS,
    ResponseApdu, find_tlv, ins, parse_cla, push_tlv, store_data_p1, sw,
};

/// How response data of SELECT and STORE DATA reaches the terminal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ResponseDelivery {
    /// As over T=0 (ETSI TS 102 221 7.3.1, what real eUICCs do): a command that carries data
    /// (case 3 or 4) and produces response data answers `61xx` and the data is fetched with
    /// GET RESPONSE, whatever `Le` said.
    #[default]
    GetResponse,
    /// As over T=1 (ISO/IEC 7816-4 5.1): a case 4 command gets up to `Le` bytes directly (and
    /// `61xx` for any rest); a case 3 command (no `Le`) still gets `61xx`.
    Direct,
}

/// Settings of the front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontEndConfig {
    /// See [`ResponseDelivery`]; default [`ResponseDelivery::GetResponse`].
    pub response_delivery: ResponseDelivery,
    /// How many logical channels exist, basic channel included: 1..=20 (values outside are
    /// clamped); default 20 (channels 0-19, ETSI TS 102 221 10.1.1). A card with only the
    /// basic ones would say 4.
    pub logical_channels: u8,
}

impl Default for FrontEndConfig {
    fn default() -> Self {
        Self {
            response_delivery: ResponseDelivery::GetResponse,
            logical_channels: MAX_LOGICAL_CHANNELS,
        }
    }
}

impl FrontEndConfig {
    fn channel_count(&self) -> u8 {
        self.logical_channels.clamp(1, MAX_LOGICAL_CHANNELS)
    }
}

/// State of one open logical channel.
#[derive(Debug, Clone, Default)]
struct ChannelState {
    /// The ISD-R is the selected application on this channel.
    isdr_selected: bool,
    /// STORE DATA blocks received so far (GlobalPlatform CS 2.3 11.11.2).
    chain: Option<Chain>,
    /// Response bytes waiting for GET RESPONSE.
    pending: Option<Pending>,
}

#[derive(Debug, Clone, Default)]
struct Chain {
    next_block: u16,
    data: Vec<u8>,
}

#[derive(Debug, Clone)]
struct Pending {
    data: Vec<u8>,
    offset: usize,
}

/// Result of one command: response data and status word, or an error status word alone.
type Reply = Result<ResponseApdu, u16>;

fn ok(data: Vec<u8>) -> Reply {
    Ok(ResponseApdu { data, sw: sw::OK })
}

/// The ISD-R seen through APDUs: logical channels, SELECT, TERMINAL CAPABILITY, STORE DATA
/// chaining and `61xx`/GET RESPONSE in front of an [`Es10Handler`]. Sans-IO and never panics:
/// every input ends in a response with a 2-byte status word.
///
/// | Command (CLA, INS) | Status words |
/// |---|---|
/// | any | `6700` malformed APDU (shorter than 4 bytes, `Lc` not matching, extended length); `6E00` unsupported CLA (secure messaging, ISO chaining, RFU) or a CLA of the wrong class for the INS (ISO `'0X'/'4X'` for SELECT, MANAGE CHANNEL, GET RESPONSE; `'8X'/'CX'` for TERMINAL CAPABILITY, STORE DATA); `6881` channel not open or beyond [`FrontEndConfig::logical_channels`]; `6D00` unknown INS |
/// | MANAGE CHANNEL `0X 70` | open `P1 00 P2 00` (`Le` 1): the lowest free channel number + `9000`, `6A81` none left; open `P1 00 P2 ch`: `9000`, `6985` already open, `6881` beyond the configured channels, `6A86` ch > 19; close `P1 80 P2 ch` (or `P2 00` for the CLA's channel): `9000`, `6A86` for the basic channel or ch > 19, `6881` not open; other `P1` `6A86`; a data field `6700` |
/// | SELECT `0X A4` | `P1 04` (by AID), `P2 00`/`04`: the FCI `6F{84 AID, A5{9F65 'FF'}, E1{..}}` (`61xx` or direct, see [`ResponseDelivery`]); `P2 0C`: `9000` without data; other AID `6A82` (selection unchanged); other `P1`/`P2` `6A86`; no AID `6700` |
/// | TERMINAL CAPABILITY `8X AA` | `P1 P2 00 00` with data: `9000` (data kept, [`IsdrApduFrontEnd::terminal_capability`]); other `P1 P2` `6A86`; no data `6700` |
/// | STORE DATA `8X E2` | ISD-R not selected on the channel `6985`; `P1 11` with the expected block number in `P2`: `9000`; `P1 91`: the reassembled request goes to the handler, its response as `61xx` (or `9000` if empty, or direct); handler error `6A80`; `P2` out of sequence or another `P1` `6A86`; no data `6700`. Any error discards the chain |
/// | GET RESPONSE `0X C0` | `P1 P2 00 00` with `Le`: `min(Le, left)` bytes + `9000` when all is delivered, `61xx` (`xx` = left, `00` for 256 or more) otherwise; nothing pending `6985`; other `P1 P2` `6A86`; no `Le` or a data field `6700` |
///
/// Documented choices:
/// - Each channel keeps its own selection, STORE DATA chain and pending response. Any command
///   other than GET RESPONSE on a channel drops what that channel still had pending (T=0
///   behaviour, ISO/IEC 7816-3 12.2). A STORE DATA chain survives other commands on the channel
///   except a successful SELECT and the channel's closing; a new chain must start at block 0
///   once the previous one ended or was discarded (a `P2 00` in the middle of a chain is out of
///   sequence: `6A86`, after which block 0 starts afresh).
/// - A case 2 command (MANAGE CHANNEL open, GET RESPONSE) gets its data directly up to `Le`;
///   a command without `Le` that produces data gets `61xx`. A 5-byte APDU is case 2, so the T=0
///   form of a case 1 command (`P3 00`, e.g. `00 70 00 01 00`) is accepted where no data is
///   returned.
/// - A GET RESPONSE with `Le` larger than what is left returns what is left with `9000` (no
///   `6Cxx`).
/// - A channel opened from a channel other than the basic one inherits its selection
///   (ISO/IEC 7816-4 11.1.2); opened from the basic channel it starts with nothing selected.
/// - The ISD-R may be selected on several channels at once. Only the exact 16-byte ISD-R AID
///   selects it (no partial AID).
/// - After [`IsdrApduFrontEnd::reset`] (a card reset) only the basic channel is open, nothing is
///   selected and the terminal capability is forgotten.
pub struct IsdrApduFrontEnd<H: Es10Handler> {
    handler: H,
    config: FrontEndConfig,
    channels: [Option<ChannelState>; MAX_LOGICAL_CHANNELS as usize],
    terminal_capability: Option<Vec<u8>>,
}

impl<H: Es10Handler + std::fmt::Debug> std::fmt::Debug for IsdrApduFrontEnd<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IsdrApduFrontEnd")
            .field("handler", &self.handler)
            .field("config", &self.config)
            .field("channels", &self.channels)
            .field("terminal_capability", &self.terminal_capability)
            .finish()
    }
}

impl<H: Es10Handler> IsdrApduFrontEnd<H> {
    /// A front end with the default [`FrontEndConfig`], as after a card reset.
    pub fn new(handler: H) -> Self {
        Self::with_config(handler, FrontEndConfig::default())
    }

    /// A front end with the given settings, as after a card reset.
    pub fn with_config(handler: H, config: FrontEndConfig) -> Self {
        let mut front_end = Self {
            handler,
            config,
            channels: std::array::from_fn(|_| None),
            terminal_capability: None,
        };
        front_end.reset();
        front_end
    }

    /// Card reset: only the basic channel open, nothing selected, no chain, nothing pending, no
    /// terminal capability.
    pub fn reset(&mut self) {
        self.channels = std::array::from_fn(|_| None);
        self.channels[0] = Some(ChannelState::default());
        self.terminal_capability = None;
    }

    /// The settings.
    pub fn config(&self) -> &FrontEndConfig {
        &self.config
    }

    /// The ES10 handler (the eUICC).
    pub fn handler(&self) -> &H {
        &self.handler
    }

    /// The ES10 handler, mutably.
    pub fn handler_mut(&mut self) -> &mut H {
        &mut self.handler
    }

    /// Gives the handler back.
    pub fn into_handler(self) -> H {
        self.handler
    }

    /// The data field of the last TERMINAL CAPABILITY since reset (normally an `'A9'` TLV,
    /// ETSI TS 102 221 11.1.19.2).
    pub fn terminal_capability(&self) -> Option<&[u8]> {
        self.terminal_capability.as_deref()
    }

    /// The value of the TLV with `tag` inside the `'A9'` terminal capability template, e.g.
    /// `0x83` (eUICC-related capabilities, ETSI TS 102 221 11.1.19.2.4) or `0x84` (IPA mode,
    /// SGP.32 3.8.4).
    pub fn terminal_capability_tlv(&self, tag: u8) -> Option<&[u8]> {
        let template = find_tlv(self.terminal_capability.as_deref()?, 0xA9)?;
        find_tlv(template, tag)
    }

    /// Whether logical channel `channel` is open.
    pub fn is_channel_open(&self, channel: u8) -> bool {
        matches!(self.channels.get(usize::from(channel)), Some(Some(_)))
    }

    /// Whether the ISD-R is selected on `channel`.
    pub fn is_isdr_selected(&self, channel: u8) -> bool {
        matches!(
            self.channels.get(usize::from(channel)),
            Some(Some(ChannelState {
                isdr_selected: true,
                ..
            }))
        )
    }

    /// Processes one command APDU and returns the response APDU (`data || SW1 SW2`).
    pub fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        let reply = self.process(apdu);
        let response = reply.unwrap_or_else(|sw| ResponseApdu {
            data: Vec::new(),
            sw,
        });
        tracing::trace!(
            command = %hex::encode_upper(apdu),
            data_len = response.data.len(),
            sw = format_args!("{:04X}", response.sw),
            "ISD-R APDU"
        );
        response.to_bytes()
    }

    /// [`transmit`](Self::transmit) as a transport closure, e.g. for
    /// [`ApduClient::new`](super::ApduClient::new).
    pub fn transport(&mut self) -> impl FnMut(&[u8]) -> Vec<u8> + '_ {
        move |apdu| self.transmit(apdu)
    }

    fn process(&mut self, raw: &[u8]) -> Reply {
        let apdu = CommandApdu::parse(raw).map_err(|_| sw::WRONG_LENGTH)?;
        let (class, channel) = parse_cla(apdu.cla).ok_or(sw::CLA_NOT_SUPPORTED)?;
        let state = self.open_channel_state(channel)?;
        if apdu.ins != ins::GET_RESPONSE && state.pending.take().is_some() {
            tracing::debug!(channel, "pending response dropped by a new command");
        }
        let expected_class = match apdu.ins {
            ins::MANAGE_CHANNEL | ins::SELECT | ins::GET_RESPONSE => ClassKind::Interindustry,
            ins::TERMINAL_CAPABILITY | ins::STORE_DATA => ClassKind::Proprietary,
            _ => return Err(sw::INS_NOT_SUPPORTED),
        };
        if class != expected_class {
            return Err(sw::CLA_NOT_SUPPORTED);
        }
        match apdu.ins {
            ins::MANAGE_CHANNEL => self.manage_channel(channel, &apdu),
            ins::SELECT => self.select(channel, &apdu),
            ins::GET_RESPONSE => self.get_response(channel, &apdu),
            ins::TERMINAL_CAPABILITY => self.terminal_capability_command(&apdu),
            _ => self.store_data(channel, &apdu),
        }
    }

    fn open_channel_state(&mut self, channel: u8) -> Result<&mut ChannelState, u16> {
        if channel >= self.config.channel_count() {
            return Err(sw::LOGICAL_CHANNEL_NOT_SUPPORTED);
        }
        match self.channels.get_mut(usize::from(channel)) {
            Some(Some(state)) => Ok(state),
            _ => Err(sw::LOGICAL_CHANNEL_NOT_SUPPORTED),
        }
    }

    /// Hands `data` to the terminal: directly up to `direct_le` when given, the rest (or all of
    /// it) kept for GET RESPONSE behind `61xx`.
    fn deliver(&mut self, channel: u8, data: Vec<u8>, direct_le: Option<u16>) -> Reply {
        if data.is_empty() {
            return ok(data);
        }
        let state = self.open_channel_state(channel)?;
        let pending = Pending { data, offset: 0 };
        match direct_le {
            Some(le) => {
                state.pending = Some(pending);
                self.take_pending(channel, usize::from(le))
            }
            None => {
                let sw = sw::bytes_available(pending.data.len());
                state.pending = Some(pending);
                Ok(ResponseApdu {
                    data: Vec::new(),
                    sw,
                })
            }
        }
    }

    /// Up to `max` pending bytes of `channel`, with `61xx` if more are left.
    fn take_pending(&mut self, channel: u8, max: usize) -> Reply {
        let state = self.open_channel_state(channel)?;
        let Some(pending) = state.pending.as_mut() else {
            return Err(sw::CONDITIONS_NOT_SATISFIED);
        };
        let left = pending.data.get(pending.offset..).unwrap_or_default();
        let n = left.len().min(max);
        let chunk = left.get(..n).unwrap_or_default().to_vec();
        pending.offset += n;
        let remaining = pending.data.len().saturating_sub(pending.offset);
        if remaining == 0 {
            state.pending = None;
            ok(chunk)
        } else {
            Ok(ResponseApdu {
                data: chunk,
                sw: sw::bytes_available(remaining),
            })
        }
    }

    /// `le` if the response may be returned directly per [`ResponseDelivery`] (commands with data).
    fn direct_le(&self, apdu: &CommandApdu<'_>) -> Option<u16> {
        match self.config.response_delivery {
            ResponseDelivery::GetResponse => None,
            ResponseDelivery::Direct => apdu.le,
        }
    }

    /// MANAGE CHANNEL (ISO/IEC 7816-4 11.1.2, ETSI TS 102 221 11.1.17).
    fn manage_channel(&mut self, channel: u8, apdu: &CommandApdu<'_>) -> Reply {
        if !apdu.data.is_empty() {
            return Err(sw::WRONG_LENGTH);
        }
        let count = self.config.channel_count();
        match (apdu.p1, apdu.p2) {
            (0x00, requested) => {
                let target = if requested == 0 {
                    (1..count)
                        .find(|ch| !self.is_channel_open(*ch))
                        .ok_or(sw::FUNCTION_NOT_SUPPORTED)?
                } else if requested >= MAX_LOGICAL_CHANNELS {
                    return Err(sw::INCORRECT_P1P2);
                } else if requested >= count {
                    return Err(sw::LOGICAL_CHANNEL_NOT_SUPPORTED);
                } else if self.is_channel_open(requested) {
                    return Err(sw::CONDITIONS_NOT_SATISFIED);
                } else {
                    requested
                };
                let inherited = channel != 0 && self.is_isdr_selected(channel);
                if let Some(slot) = self.channels.get_mut(usize::from(target)) {
                    *slot = Some(ChannelState {
                        isdr_selected: inherited,
                        ..ChannelState::default()
                    });
                }
                tracing::debug!(channel = target, inherited, "logical channel opened");
                if requested == 0 {
                    self.deliver(channel, vec![target], apdu.le)
                } else {
                    ok(Vec::new())
                }
            }
            (0x80, requested) => {
                let target = if requested == 0 { channel } else { requested };
                if target == 0 || target >= MAX_LOGICAL_CHANNELS {
                    return Err(sw::INCORRECT_P1P2);
                }
                match self.channels.get_mut(usize::from(target)) {
                    Some(slot @ Some(_)) if target < count => {
                        *slot = None;
                        tracing::debug!(channel = target, "logical channel closed");
                        ok(Vec::new())
                    }
                    _ => Err(sw::LOGICAL_CHANNEL_NOT_SUPPORTED),
                }
            }
            _ => Err(sw::INCORRECT_P1P2),
        }
    }

    /// SELECT by DF name (ISO/IEC 7816-4 11.2.2, GlobalPlatform CS 2.3 11.9, SGP.32 3.8.4).
    fn select(&mut self, channel: u8, apdu: &CommandApdu<'_>) -> Reply {
        if apdu.p1 != 0x04 || !matches!(apdu.p2, 0x00 | 0x04 | 0x0C) {
            return Err(sw::INCORRECT_P1P2);
        }
        if apdu.data.is_empty() {
            return Err(sw::WRONG_LENGTH);
        }
        if apdu.data != ISDR_AID {
            return Err(sw::NOT_FOUND);
        }
        let state = self.open_channel_state(channel)?;
        if state.chain.take().is_some() {
            tracing::debug!(channel, "STORE DATA chain discarded by SELECT");
        }
        state.isdr_selected = true;
        if apdu.p2 == 0x0C {
            return ok(Vec::new());
        }
        let fci = self.fci();
        let direct = self.direct_le(apdu);
        self.deliver(channel, fci, direct)
    }

    /// The ISD-R FCI: `6F { 84 AID, A5 { 9F65 'FF' }, E1 {...} }` (GlobalPlatform CS 2.3
    /// 11.9.3.1: AID and maximum command data length; SGP.32 3.8.4: the IoT template after the
    /// GlobalPlatform objects).
    fn fci(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(40);
        push_tlv(&mut body, 0x84, &ISDR_AID);
        let mut proprietary = Vec::with_capacity(4);
        push_tlv(&mut proprietary, 0x9F65, &[MAX_BLOCK_SIZE as u8]);
        push_tlv(&mut body, 0xA5, &proprietary);
        if let Some(template) = self.handler.isdr_proprietary_template() {
            match rasn::der::encode(&template) {
                Ok(bytes) => body.extend_from_slice(&bytes),
                Err(e) => tracing::warn!(error = %e, "ISD-R template not encodable, left out"),
            }
        }
        let mut fci = Vec::with_capacity(body.len() + 3);
        push_tlv(&mut fci, 0x6F, &body);
        fci
    }

    /// TERMINAL CAPABILITY (ETSI TS 102 221 11.1.19).
    fn terminal_capability_command(&mut self, apdu: &CommandApdu<'_>) -> Reply {
        if (apdu.p1, apdu.p2) != (0x00, 0x00) {
            return Err(sw::INCORRECT_P1P2);
        }
        if apdu.data.is_empty() {
            return Err(sw::WRONG_LENGTH);
        }
        self.terminal_capability = Some(apdu.data.to_vec());
        ok(Vec::new())
    }

    /// GET RESPONSE (ISO/IEC 7816-4, ETSI TS 102 221 12.1.1).
    fn get_response(&mut self, channel: u8, apdu: &CommandApdu<'_>) -> Reply {
        if (apdu.p1, apdu.p2) != (0x00, 0x00) {
            return Err(sw::INCORRECT_P1P2);
        }
        let (true, Some(le)) = (apdu.data.is_empty(), apdu.le) else {
            return Err(sw::WRONG_LENGTH);
        };
        self.take_pending(channel, usize::from(le))
    }

    /// STORE DATA carrying an ES10 request (GlobalPlatform CS 2.3 11.11, SGP.22 5.7.2).
    fn store_data(&mut self, channel: u8, apdu: &CommandApdu<'_>) -> Reply {
        let state = self.open_channel_state(channel)?;
        let chain = state.chain.take();
        if !state.isdr_selected {
            return Err(sw::CONDITIONS_NOT_SATISFIED);
        }
        let mut chain = chain.unwrap_or_default();
        let last = match apdu.p1 {
            store_data_p1::MORE_BLOCKS => false,
            store_data_p1::LAST_BLOCK => true,
            _ => return Err(sw::INCORRECT_P1P2),
        };
        if u16::from(apdu.p2) != chain.next_block {
            tracing::debug!(
                channel,
                expected = chain.next_block,
                got = apdu.p2,
                "STORE DATA block out of sequence, chain discarded"
            );
            return Err(sw::INCORRECT_P1P2);
        }
        if apdu.data.is_empty() {
            return Err(sw::WRONG_LENGTH);
        }
        chain.data.extend_from_slice(apdu.data);
        chain.next_block += 1;
        if !last {
            state.chain = Some(chain);
            return ok(Vec::new());
        }
        let response = match self.handler.handle_es10(&chain.data) {
            Ok(response) => response,
            Err(e) => {
                tracing::debug!(channel, error = %e, "ES10 handler refused the request");
                return Err(sw::INCORRECT_DATA);
            }
        };
        let direct = self.direct_le(apdu);
        self.deliver(channel, response, direct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("refused")]
    struct Refused;

    /// Answers `9000`-style: the request reversed.
    #[derive(Debug, Default)]
    struct Reverse {
        seen: Vec<Vec<u8>>,
    }

    impl Es10Handler for Reverse {
        type Error = Refused;
        fn handle_es10(&mut self, request: &[u8]) -> Result<Vec<u8>, Refused> {
            self.seen.push(request.to_vec());
            Ok(request.iter().rev().copied().collect())
        }
    }

    fn tx(fe: &mut IsdrApduFrontEnd<Reverse>, apdu: &str) -> String {
        hex::encode_upper(fe.transmit(&hex::decode(apdu).unwrap()))
    }

    const SELECT: &str = "00A4040410A0000005591010FFFFFFFF8900000100";

    #[test]
    fn fci_carries_aid_gp_data_and_the_iot_template() {
        let mut fe = IsdrApduFrontEnd::new(Reverse::default());
        assert_eq!(tx(&mut fe, SELECT), "611F");
        assert_eq!(
            tx(&mut fe, "00C000001F"),
            "6F1D8410A0000005591010FFFFFFFF8900000100A5049F6501FFE1038001009000"
        );
        assert!(fe.is_isdr_selected(0));
    }

    #[test]
    fn select_without_response_data_and_reselect_discards_the_chain() {
        let mut fe = IsdrApduFrontEnd::new(Reverse::default());
        assert_eq!(
            tx(&mut fe, "00A4040C10A0000005591010FFFFFFFF8900000100"),
            "9000"
        );
        assert_eq!(tx(&mut fe, "80E2110002AABB"), "9000");
        assert_eq!(tx(&mut fe, SELECT), "611F");
        // Block 1 now is out of sequence: the chain went with the re-selection.
        assert_eq!(tx(&mut fe, "80E2910101CC"), "6A86");
        assert_eq!(tx(&mut fe, "80E2910001CC"), "6101");
        assert_eq!(tx(&mut fe, "80C0000001"), "6E00");
        assert_eq!(tx(&mut fe, "00C0000001"), "CC9000");
        assert_eq!(fe.handler().seen, vec![vec![0xCC]]);
    }

    #[test]
    fn direct_delivery_returns_up_to_le() {
        let config = FrontEndConfig {
            response_delivery: ResponseDelivery::Direct,
            ..FrontEndConfig::default()
        };
        let mut fe = IsdrApduFrontEnd::with_config(Reverse::default(), config);
        let fci = tx(&mut fe, &format!("{SELECT}00"));
        assert!(fci.starts_with("6F1D84"), "{fci}");
        assert!(fci.ends_with("9000"));
        // Case 3: 61xx even here. Case 4 with Le 2: two bytes directly, the third behind 6101.
        assert_eq!(tx(&mut fe, "80E2910003010203"), "6103");
        assert_eq!(tx(&mut fe, "80E291000301020302"), "03026101");
        assert_eq!(tx(&mut fe, "00C0000005"), "019000");
    }

    #[test]
    fn terminal_capability_is_kept() {
        let mut fe = IsdrApduFrontEnd::new(Reverse::default());
        assert_eq!(fe.terminal_capability(), None);
        assert_eq!(tx(&mut fe, "80AA000005A903830107"), "9000");
        assert_eq!(
            fe.terminal_capability(),
            Some(&hex::decode("A903830107").unwrap()[..])
        );
        assert_eq!(fe.terminal_capability_tlv(0x83), Some(&[0x07][..]));
        assert_eq!(fe.terminal_capability_tlv(0x84), None);
        assert_eq!(tx(&mut fe, "80AA010005A903840101"), "6A86");
        assert_eq!(tx(&mut fe, "80AA0000"), "6700");
        assert_eq!(tx(&mut fe, "00AA000005A903840101"), "6E00");
        fe.reset();
        assert_eq!(fe.terminal_capability(), None);
    }

    #[test]
    fn manage_channel_rules() {
        let config = FrontEndConfig {
            logical_channels: 4,
            ..FrontEndConfig::default()
        };
        let mut fe = IsdrApduFrontEnd::with_config(Reverse::default(), config);
        // Terminal-assigned, in the T=0 form of a case 1 command (onomondo-ipa).
        assert_eq!(tx(&mut fe, "0070000200"), "9000");
        assert_eq!(tx(&mut fe, "0070000200"), "6985");
        assert_eq!(tx(&mut fe, "0070000001"), "019000");
        assert_eq!(tx(&mut fe, "0070000001"), "039000");
        assert_eq!(tx(&mut fe, "0070000001"), "6A81");
        assert_eq!(tx(&mut fe, "0070000400"), "6881");
        assert_eq!(tx(&mut fe, "0070001400"), "6A86");
        // Card-assigned without Le: the number comes through GET RESPONSE.
        assert_eq!(tx(&mut fe, "0070800300"), "9000");
        assert_eq!(tx(&mut fe, "00700000"), "6101");
        assert_eq!(tx(&mut fe, "00C0000001"), "039000");
        // Close: by P2, by the CLA's channel, never the basic channel.
        assert_eq!(tx(&mut fe, "0370800000"), "9000");
        assert!(!fe.is_channel_open(3));
        assert_eq!(tx(&mut fe, "0370800300"), "6881");
        assert_eq!(tx(&mut fe, "0070800000"), "6A86");
        assert_eq!(tx(&mut fe, "0070801400"), "6A86");
        assert_eq!(tx(&mut fe, "0070400000"), "6A86");
        assert_eq!(tx(&mut fe, "007000000101"), "6700");
        // Commands on closed or unsupported channels.
        assert_eq!(tx(&mut fe, "03C0000001"), "6881");
        assert_eq!(tx(&mut fe, "40C0000001"), "6881");
    }

    #[test]
    fn a_channel_opened_from_a_selecting_channel_inherits_the_selection() {
        let mut fe = IsdrApduFrontEnd::new(Reverse::default());
        assert_eq!(tx(&mut fe, "0070000001"), "019000");
        assert_eq!(
            tx(&mut fe, "01A4040C10A0000005591010FFFFFFFF8900000100"),
            "9000"
        );
        assert_eq!(tx(&mut fe, "0170000001"), "029000");
        assert!(fe.is_isdr_selected(2));
        assert_eq!(tx(&mut fe, "0070000001"), "039000");
        assert!(!fe.is_isdr_selected(3));
        // Extended channel 19 through CLA 4F / CF.
        assert_eq!(tx(&mut fe, "0070001300"), "9000");
        assert_eq!(
            tx(&mut fe, "4FA4040C10A0000005591010FFFFFFFF8900000100"),
            "9000"
        );
        assert_eq!(tx(&mut fe, "CFE2910002ABCD"), "6102");
        assert_eq!(tx(&mut fe, "4FC0000000"), "CDAB9000");
    }
}
