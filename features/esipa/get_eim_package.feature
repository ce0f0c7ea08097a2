@esipa @role:eim
Feature: GetEimPackage (SGP.32 6.3.2.6)
  The IPA polls with GetEimPackageRequest; the eIM answers one package or one eimPackageError
  (noEimPackageAvailable, eidNotFound, invalidEid, missingEid, undefinedError). Error cases are
  crafted on the wire (DER posted with the binding's headers); undefinedError has no trigger.

  @id:ESIPA-001 @spec:6.3.2.6 @must @catches:choice-tag-twice
  Scenario: Nothing queued: noEimPackageAvailable
    Given a device registered at the SUT
    When the device polls the SUT
    Then the SUT has no package for the device

  @id:ESIPA-002 @spec:6.3.2.6 @must @catches:eid-not-found-as-no-package
  Scenario: An EID the SUT does not know: eidNotFound
    Given a device the SUT does not know
    When the device polls the SUT
    Then the device's poll is answered with eimPackageError eidNotFound

  @id:ESIPA-003 @spec:6.3.2.6 @must @catches:eid-errors-undefined
  Scenario: An EID with wrong SGP.29 check digits: invalidEid
    When a GetEimPackageRequest with an EID whose check digits are wrong is sent to the SUT
    Then the SUT answers it with eimPackageError invalidEid

  @id:ESIPA-004 @spec:6.3.2.6 @should @catches:eid-errors-undefined
  Scenario: An eidValue that is not 16 bytes: invalidEid
    When a GetEimPackageRequest with a 10-byte EID is sent to the SUT
    Then the SUT answers it with eimPackageError invalidEid

  @id:ESIPA-005 @spec:6.3.2.6 @must @catches:eid-errors-undefined
  Scenario: A GetEimPackageRequest without eidValue: missingEid
    When a GetEimPackageRequest without eidValue is sent to the SUT
    Then the SUT answers it with eimPackageError missingEid

  @id:ESIPA-006 @spec:6.3.2.6 @must @catches:new-package-on-repoll
  Scenario: A repeated poll before the result gets the same package, byte for byte
    Given a device registered at the SUT
    When the SUT is ordered to get the RAT
    And the device's GetEimPackageRequest is sent to the SUT twice
    Then both answers carry the same eUICC Package, byte for byte
    When the device polls the SUT
    Then the device executed the package the SUT had sent before
    And the SUT reports the order done
