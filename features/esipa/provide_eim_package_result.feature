@esipa @role:eim
Feature: ProvideEimPackageResult (SGP.32 6.3.2.7)
  The IPA delivers a result (with the notifications pending on the eUICC); the eIM answers
  eimAcknowledgements listing the seqNumbers it has processed (the IPA then removes them from
  the eUICC), emptyResponse, or provideEimPackageResultError (eidNotFound, invalidEid,
  missingEid, undefinedError). Error cases are crafted on the wire; the result they carry is an
  unsigned error naming the SUT's eimId.

  @id:ESIPA-007 @spec:6.3.2.7 @must @catches:result-errors-acknowledged
  Scenario: A result for an EID the SUT does not know: eidNotFound
    When a ProvideEimPackageResult for an EID the SUT does not know is sent to the SUT
    Then the SUT answers it with provideEimPackageResultError eidNotFound

  @id:ESIPA-008 @spec:6.3.2.7 @must @catches:eid-errors-undefined @catches:result-errors-acknowledged
  Scenario: A result with an EID whose check digits are wrong: invalidEid
    When a ProvideEimPackageResult with an EID whose check digits are wrong is sent to the SUT
    Then the SUT answers it with provideEimPackageResultError invalidEid

  @id:ESIPA-009 @spec:6.3.2.7 @must @catches:eid-errors-undefined @catches:result-errors-acknowledged
  Scenario: A result without eidValue that names no package of the SUT: missingEid
    When a ProvideEimPackageResult without eidValue and with an eimTransactionId the SUT never sent is sent to the SUT
    Then the SUT answers it with provideEimPackageResultError missingEid

  @id:ESIPA-010 @spec:6.3.2.7 @should @catches:result-errors-acknowledged
  Scenario: A result while no package is outstanding is refused and changes nothing
    Given a device registered at the SUT
    When the SUT is ordered to get the RAT
    And the device polls the SUT
    Then the SUT reports the order done
    When a ProvideEimPackageResult of the device while no package is outstanding is sent to the SUT
    Then the SUT answers it with provideEimPackageResultError
    And the SUT reports the order done

  @id:ESIPA-011 @spec:3.3.1 @must @catches:acknowledgements-omitted
  Scenario: eimAcknowledgements list the result and every notification delivered with it
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    Then the device executed an eUICC package
    And the SUT acknowledged the result and every notification the device delivered
    And the SUT reports the order done

  @id:ESIPA-012 @spec:6.3.2.7 @must @catches:eid-required-in-result
  Scenario: A result without eidValue is taken by its eimTransactionId (CR12014R02)
    Given a device registered at the SUT
    When the SUT is ordered to fetch the eUICC data BF20
    And the device answers the SUT's eUICC data request without eidValue
    Then the SUT answers it with eimAcknowledgements or emptyResponse
    And the SUT reports the order done
