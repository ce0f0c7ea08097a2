@download @role:eim @feature:smdp
Feature: Direct profile download reported to the eIM (SGP.32 3.2.3.1)
  The eIM triggers a download whose IPA talks to the SM-DP+ itself: the device announces
  directRspServerCommunication and not indirectRspServerCommunication, runs the SGP.22 common
  mutual authentication and the download over ES9+ (the JSON binding) against the SM-DP+ named in
  the activation code, delivers the PIR to it, and reports the result to the eIM in
  ProvideEimPackageResult with profileDownloadTriggerResult (the PIR, or profileDownloadError).
  The eIM completes its download order from that report. These cases need the harness's SM-DP+
  beside the SUT (@feature:smdp).

  @id:DL-010 @spec:3.2.3.1 @must @catches:download-result-ignored
  Scenario: A direct download is reported by profileDownloadTriggerResult and the order completes
    Given a device registered at the SUT that downloads directly from the SM-DP+
    And the operator has a profile released for the device at the SM-DP+
    When the SUT is ordered to trigger the download of that profile
    And the device polls the SUT
    Then the device downloaded and installed that profile
    And the SM-DP+ received the installation result of that profile
    And the SUT reports the order done

  @id:DL-011 @spec:3.2.3.1 @must @catches:download-result-ignored
  Scenario: A direct download the SM-DP+ refuses is reported by profileDownloadError and the order fails
    Given a device registered at the SUT that downloads directly from the SM-DP+
    And the operator has a profile released for the device at the SM-DP+ under an unknown matchingId
    When the SUT is ordered to trigger the download of that profile
    And the device polls the SUT
    Then the download failed at the SM-DP+ and the session was cancelled
    And the SUT reports the order failed
