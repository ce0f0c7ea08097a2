@download @role:eim @feature:smdp
Feature: Indirect profile download with the compact ESipa forms of minimizeEsipaBytes (SGP.32 6.3.2)
  An IPA that announces minimizeEsipaBytes (ipaFeatures bit 5, SGP.32 4.7) leaves euiccInfo1 out
  of InitiateAuthentication and sends the compact forms of the eUICC's answers:
  compactAuthenticateResponseOk (extCardResource and ctxParams1 only, no certificates),
  compactDownloadResponseOk, compactProfileInstallationResult and compactCancelSessionResponseOk.
  The eIM rebuilds the full SGP.22 forms for the SM-DP+ from what it knows: the eUICC data it read
  from the device (euiccInfo1, euiccInfo2, the certificates) and the download session
  (serverAddress, serverChallenge, the SM-DP+ OID, the ICCID). The eUICC's signatures cover the full
  forms, and the SM-DP+ verifies them, so any field rebuilt wrong fails the download. The eIM also
  removes the transactionId from the GetBoundProfilePackage answer (SGP.32 6.3.2.3).
  Each case first orders the eUICC data the rebuilding needs (BF20 BF22 A5 A6 A8).

  @id:DL-012 @spec:6.3.2.2 @must @catches:compact-relayed-as-is
  Scenario: A device with minimizeEsipaBytes downloads through the SUT
    Given a device registered at the SUT whose IPA minimizes ESipa bytes
    When the SUT is ordered to fetch the eUICC data BF20 BF22 A5 A6 A8
    And the device polls the SUT
    Then the SUT reports the order done
    Given the operator has a profile released for the device at the SM-DP+
    When the SUT is ordered to trigger the download of that profile
    And the device polls the SUT
    Then the device downloaded and installed that profile
    And the device ran the download in the compact forms
    And the SM-DP+ received the installation result of that profile
    And the SUT reports the order done

  @id:DL-013 @spec:6.3.2.3 @must @catches:gbpp-transaction-id-kept
  Scenario: The GetBoundProfilePackage answer to a device with minimizeEsipaBytes has no transactionId
    Given a device registered at the SUT whose IPA minimizes ESipa bytes
    When the SUT is ordered to fetch the eUICC data BF20 BF22 A5 A6 A8
    And the device polls the SUT
    Then the SUT reports the order done
    Given the operator has a profile released for the device at the SM-DP+
    When the SUT is ordered to trigger the download of that profile
    And the device polls the SUT
    Then the device downloaded and installed that profile
    And the device ran the download in the compact forms
    And the SUT's GetBoundProfilePackage answer has no transactionId

  @id:DL-014 @spec:6.3.2.2 @must @catches:ext-card-resource-not-replaced
  Scenario: A second compact download is rebuilt with the extCardResource the eUICC sent
    Given a device registered at the SUT whose IPA minimizes ESipa bytes
    When the SUT is ordered to fetch the eUICC data BF20 BF22 A5 A6 A8
    And the device polls the SUT
    Then the SUT reports the order done
    Given the operator has a profile released for the device at the SM-DP+
    When the SUT is ordered to trigger the download of that profile
    And the device polls the SUT
    Then the device downloaded and installed that profile
    Given the operator has a profile released for the device at the SM-DP+
    When the SUT is ordered to trigger the download of that profile
    And the device polls the SUT
    Then the device downloaded and installed that profile
    And the device ran the download in the compact forms
    And the SM-DP+ received the installation result of that profile
    And the SUT reports the order done

  @id:DL-015 @spec:6.3.2.5 @must @catches:compact-relayed-as-is @catches:ended-download-left-open
  Scenario: A compact download the SM-DP+ refuses is cancelled through the SUT
    Given a device registered at the SUT whose IPA minimizes ESipa bytes
    When the SUT is ordered to fetch the eUICC data BF20 BF22 A5 A6 A8
    And the device polls the SUT
    Then the SUT reports the order done
    Given the operator has a profile released for the device at the SM-DP+ under an unknown matchingId
    When the SUT is ordered to trigger the download of that profile
    And the device polls the SUT
    Then the download failed at the SM-DP+ and the session was cancelled through the SUT
    And the device ran the download in the compact forms
    And the SUT reports the order failed
