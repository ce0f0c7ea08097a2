@robustness @role:eim
Feature: Retries, lost answers, repeated results and dropped connections (SGP.32 3.3.1)
  Real links lose requests and answers; the SUT must stay consistent: one outstanding package
  per EID, a result acted on once, no dependence on the HTTP connection.

  @id:ROB-001 @spec:3.3.1 @must @catches:bad-package-signature @catches:counter-reused
  Scenario: The IPA retries a result after a transport failure and the procedure completes
    Given a device registered at the SUT
    And the device's next 1 attempt to deliver a result fail in transport
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    Then the device executed an eUICC package
    And the SUT reports the order done
    And profile "B" is enabled on the device

  @id:ROB-002 @spec:6.3.2.6 @must @catches:new-package-on-repoll
  Scenario: A poll repeated after a lost answer gets the same outstanding package
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT but the answer is lost
    And the device polls the SUT
    Then the device executed the package whose answer was lost
    And the SUT reports the order done

  @id:ROB-003 @spec:6.3.2.6 @must @catches:new-package-on-repoll
  Scenario: Concurrent polls of one EID get one and the same package
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the SUT is ordered to enable profile "C"
    And the device polls the SUT 4 times at once on separate connections
    Then every poll got the same package, with counterValue 1

  @id:ROB-004 @spec:6.3.2.7 @must @catches:duplicate-result-processed-twice
  Scenario: A result delivered again while the next package is outstanding is acted on once
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device fetches its package, executes it and delivers the result by hand
    And the SUT is ordered to enable profile "C"
    And the device fetches its next package by hand
    And the device delivers its last result again
    Then the SUT answered the repeated result with a ProvideEimPackageResultResponse
    And the SUT reports order 1 done
    And the SUT reports order 2 delivered

  @id:ROB-005 @spec:6.3.2.7 @should @catches:repeated-result-unanswered
  Scenario: The same result delivered twice in a row is acknowledged, the order done once
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device fetches its package, executes it and delivers the result by hand
    And the device delivers its last result again
    Then the SUT answered the repeated result with a ProvideEimPackageResultResponse
    And the SUT reports order 1 done
    And profile "B" is enabled on the device

  @id:ROB-006 @spec:3.3.1 @must @catches:counter-reused @catches:bad-package-signature
  Scenario: A connection dropped between GetEimPackage and the result: the procedure recovers
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device fetches its package, executes it and delivers the result by hand on a new connection
    Then the SUT reports the order done
    And profile "B" is enabled on the device
    When the device polls the SUT
    Then the SUT has no package for the device

  @id:ROB-007 @spec:3.3.1 @must @catches:counter-reused @catches:bad-package-signature
  Scenario: An enable with rollback allowed whose result can't be delivered is rolled back
    Given a device registered at the SUT
    And the device's result can't be delivered at all
    When the SUT is ordered to enable profile "B" with rollback allowed
    And the device polls the SUT
    Then the device rolled back and delivered the rollback result
    And the SUT reports the order done
    And profile "A" is enabled on the device
    And profile "B" is disabled on the device
