@euicc_data @role:eim
Feature: eUICC data requests (SGP.32 2.11.1.3, 3.3.2)
  The eIM is ordered (through its order API) to fetch eUICC data by tag list; the next poll
  gets an IpaEuiccDataRequest carrying exactly that tagList (and an eimTransactionId), the IPA
  gathers the data from the eUICC and answers ipaEuiccDataResponse in
  ProvideEimPackageResult, and the eIM reports the order done with the data (or failed when
  the IPA answers ipaEuiccDataResponseError). Tags: BF20 euiccInfo1, BF22 euiccInfo2, A5
  eumCertificate, A6 euiccCertificate, A0 notificationsList, A2 euiccPackageResultList, A8
  ipaCapabilities.

  @id:DATA-001 @spec:2.11.1.3 @must @catches:data-tag-list-ignored @catches:euicc-data-result-refused
  Scenario: EUICCInfo1 and EUICCInfo2 are fetched and the order is done
    Given a device registered at the SUT
    When the SUT is ordered to fetch the eUICC data BF20 BF22
    And the device polls the SUT
    Then the SUT asked the device for exactly the tags ordered
    And the device answered the eUICC data request
    And the SUT reports the order done

  @id:DATA-002 @spec:2.11.1.3 @must @catches:data-tag-list-ignored @catches:euicc-data-result-refused
  Scenario: The eUICC and EUM certificates are fetched and the order is done
    Given a device registered at the SUT without its certificate
    When the SUT is ordered to fetch the eUICC data A5 A6
    And the device polls the SUT
    Then the SUT asked the device for exactly the tags ordered
    And the device answered the eUICC data request
    And the SUT reports the order done

  @id:DATA-003 @spec:3.3.2 @must @catches:acknowledgements-omitted @catches:data-tag-list-ignored
  Scenario: Pending notifications are fetched and acknowledged
    Given a device registered at the SUT
    When the SUT is ordered to set the fallback attribute on profile "B"
    And the device polls the SUT
    Then the SUT reports the order done
    When the device switches to its fallback profile locally (pending notifications)
    And the SUT is ordered to fetch the eUICC data A0
    And the device polls the SUT
    Then the SUT asked the device for exactly the tags ordered
    And the SUT acknowledged the result and every notification the device delivered
    And the SUT reports the order done

  @id:DATA-004 @spec:2.11.1.3 @must @catches:data-tag-list-ignored @catches:euicc-data-result-refused
  Scenario: The eUICC Package results and the IPA capabilities are fetched
    Given a device registered at the SUT
    When the SUT is ordered to fetch the eUICC data A2 A8
    And the device polls the SUT
    Then the SUT asked the device for exactly the tags ordered
    And the device answered the eUICC data request
    And the SUT reports the order done

  @id:DATA-005 @spec:2.11.1.3 @should @catches:euicc-data-result-refused
  Scenario: The SUT's report names the data items it received
    Given a device registered at the SUT
    When the SUT is ordered to fetch the eUICC data BF20 BF22 A6
    And the device polls the SUT
    Then the SUT's report names the data items euiccInfo1, euiccInfo2, euiccCertificate

  @id:DATA-006 @spec:3.3.2 @must @catches:euicc-data-error-accepted @catches:data-error-left-open
  Scenario: An ipaEuiccDataResponseError fails the order
    Given a device registered at the SUT
    When the SUT is ordered to fetch the eUICC data BF22
    And the device answers the SUT's eUICC data request with ipaEuiccDataResponseError incorrectTagList
    Then the SUT reports the order failed

  @id:DATA-007 @spec:2.11.1.3 @should @catches:unusable-data-request-stuck
  Scenario: An empty tag list is refused or settles
    Given a device registered at the SUT
    When the SUT is asked to fetch the eUICC data [], which it may refuse
    And the device polls the SUT until it has nothing to do
    Then the SUT refused the order or reported it done or failed

  @id:DATA-008 @spec:2.11.1.3 @should @catches:unusable-data-request-stuck
  Scenario: A tag list of tags IpaEuiccData does not define is refused or settles
    Given a device registered at the SUT
    When the SUT is asked to fetch the eUICC data 5A DF7F, which it may refuse
    And the device polls the SUT until it has nothing to do
    Then the SUT refused the order or reported it done or failed
